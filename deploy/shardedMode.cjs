/**
 * The sharded mode, opt-in: `--param="mode=sharded"`. serverless.yml lists functions and resources as arrays
 * whose last item comes from here (osls merges the items); in the default mode (`single`) both are empty, so the
 * default template is exactly the one-function stack. In sharded mode:
 *
 * - shardPlan, on the scan schedule (the scan function's own schedule is disabled): records a run in the run table
 *   and sends one message per shard (provider service × group of regions) to ShardQueue;
 * - shardWork, fed by ShardQueue one message at a time: scans one shard and records it; the worker that records
 *   the last shard sends the run's digest;
 * - shardFinish, every 15 minutes: closes runs that are complete but unclosed, or past their deadline (a shard
 *   whose message went to ShardDeadLetterQueue after three attempts), the digest naming the missing shards;
 * - each function its own role, allowed only what it does (no `*` resource): the planner reads no secret, so it
 *   gets neither the secrets' parameter names nor ssm:GetParameters, only which providers have keys
 *   (CERTWATCH_SHARD_PROVIDERS, deploy/secretParameters.cjs);
 * - alarms on a dead letter and on planner or finisher errors (a worker's failed attempt is retried by SQS; one
 *   that never succeeds ends as a dead letter, which alarms).
 *
 * osls calls the exported function with its variable resolver; `shardedMode` is the pure part, for tests.
 */
'use strict';

const { parameterNames, secretParameters } = require('./secretParameters.cjs');

const MODES = ['single', 'sharded'];
/** The finisher's timer: a run closes at most this long after its deadline. */
const FINISH_SCHEDULE = 'rate(15 minutes)';
/** The worker's timeout (the provider's, from serverless.yml): a shard must fit in one invocation. */
const WORKER_TIMEOUT_SECONDS = 900;
/**
 * AWS asks for a visibility timeout of at least six times the function's timeout on a Lambda-consumed queue, so
 * that a message the poller could not hand over (the function throttled) is not counted as failed too early.
 */
const VISIBILITY_TIMEOUT_SECONDS = 6 * WORKER_TIMEOUT_SECONDS;
const MAX_RECEIVE_COUNT = 3;

function wholeNumber(name, value, min, max) {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new Error(`${name} "${value}" must be a whole number from ${min} to ${max}`);
  }
  return number;
}

/**
 * What serverless.yml merges in for a mode: whether the scan function keeps its schedule, and the functions and
 * resources to add. Throws an error naming the parameter for a value it cannot use.
 */
function shardedMode(params) {
  if (!MODES.includes(params.mode)) {
    throw new Error(`mode "${params.mode}" must be one of ${MODES.join(', ')} (--param="mode=sharded")`);
  }
  if (params.mode === 'single') return { scanOnSchedule: true, functions: {}, resources: {} };
  const regionsPerShard = wholeNumber('shardRegions', params.shardRegions, 1, 100);
  // Run items live a week (their TTL); a run must close well before it expires.
  const deadlineMinutes = wholeNumber(
    'shardDeadlineMinutes',
    params.shardDeadlineMinutes,
    15,
    7 * 24 * 60 - 60,
  );
  // The SQS event source's MaximumConcurrency: 2 to 1000.
  const concurrency = wholeNumber('shardConcurrency', params.shardConcurrency, 2, 1000);
  const secrets = secretParameters({ ssmPath: params.ssmPath, names: params.secretParameters });
  const prefix = `${params.service}-${params.stage}`;
  const environment = {
    CERTWATCH_RUN_TABLE: { Ref: 'ShardRunTable' },
    CERTWATCH_SHARD_REGIONS: String(regionsPerShard),
    CERTWATCH_SHARD_DEADLINE_MINUTES: String(deadlineMinutes),
  };

  const logsOf = (fn) => ({
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: {
      'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${prefix}-${fn}:*`,
    },
  });
  // The stage's secrets, for the worker and the finisher (the planner reads none).
  const readSecrets = { Effect: 'Allow', Action: 'ssm:GetParameters', Resource: secrets.resource };
  const runTable = (actions) => ({
    Effect: 'Allow',
    Action: actions.map((action) => `dynamodb:${action}`),
    Resource: { 'Fn::GetAtt': ['ShardRunTable', 'Arn'] },
  });
  // What alertOn needs: the secrets (webhook URLs), the alert history (as the scan function's role) and the
  // topic, which is encrypted (serverless.yml, AlertTopicKey).
  const alerting = [
    readSecrets,
    {
      Effect: 'Allow',
      Action: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem'].map((a) => `dynamodb:${a}`),
      Resource: { 'Fn::GetAtt': ['AlertStateTable', 'Arn'] },
    },
    { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: 'AlertTopic' } },
    {
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: { 'Fn::GetAtt': ['AlertTopicKey', 'Arn'] },
    },
  ];
  const role = (fn, statements) => ({
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] },
        ],
      },
      Policies: [
        {
          PolicyName: `certwatch-${fn}`,
          PolicyDocument: { Version: '2012-10-17', Statement: [logsOf(fn), ...statements] },
        },
      ],
    },
  });
  const errorsAlarm = (fn, description) => ({
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmDescription: description,
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: 'AlertTopic' }],
    },
  });

  return {
    scanOnSchedule: false,
    functions: {
      shardPlan: {
        handler: 'functions/shardPlan.handler',
        description: 'certwatch sharded mode: plans a run and sends one SQS message per shard',
        role: 'ShardPlanRole',
        timeout: 60,
        environment: {
          ...environment,
          CERTWATCH_SHARD_QUEUE_URL: { Ref: 'ShardQueue' },
          CERTWATCH_SHARD_PROVIDERS: secrets.providers,
        },
        events: [{ schedule: { rate: params.schedule, description: 'certwatch sharded scan: plan a run' } }],
      },
      shardWork: {
        handler: 'functions/shardWork.handler',
        description: 'certwatch sharded mode: scans one shard; the last one in sends the digest',
        role: 'ShardWorkRole',
        timeout: WORKER_TIMEOUT_SECONDS,
        environment: { ...environment, ...secrets.environment },
        // Fed by ShardWorkEventSource below, not an `sqs` event: osls would also grant the shared role (the scan
        // function's) the consumer actions on the queue.
      },
      shardFinish: {
        handler: 'functions/shardFinish.handler',
        description: 'certwatch sharded mode: closes runs that are complete or past their deadline',
        role: 'ShardFinishRole',
        environment: { ...environment, ...secrets.environment },
        events: [
          { schedule: { rate: FINISH_SCHEDULE, description: 'certwatch sharded scan: close due runs' } },
        ],
      },
    },
    resources: {
      Resources: {
        ShardQueue: {
          Type: 'AWS::SQS::Queue',
          Properties: {
            VisibilityTimeout: VISIBILITY_TIMEOUT_SECONDS,
            // A shard message older than a day belongs to a run closed long ago.
            MessageRetentionPeriod: 86_400,
            SqsManagedSseEnabled: true,
            RedrivePolicy: {
              deadLetterTargetArn: { 'Fn::GetAtt': ['ShardDeadLetterQueue', 'Arn'] },
              maxReceiveCount: MAX_RECEIVE_COUNT,
            },
          },
        },
        // Kept two weeks, to read why a shard failed and to redrive it (its run is closed by then: it does nothing).
        ShardDeadLetterQueue: {
          Type: 'AWS::SQS::Queue',
          Properties: { MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true },
        },
        ShardWorkEventSource: {
          Type: 'AWS::Lambda::EventSourceMapping',
          DependsOn: ['ShardWorkRole'],
          Properties: {
            EventSourceArn: { 'Fn::GetAtt': ['ShardQueue', 'Arn'] },
            FunctionName: { 'Fn::GetAtt': ['ShardWorkLambdaFunction', 'Arn'] },
            BatchSize: 1,
            // Shards of one provider account share its API rate limits: more workers at once only throttle.
            ScalingConfig: { MaximumConcurrency: concurrency },
          },
        },
        // Runs and their shards' results: hours of life, so TTL and no point-in-time recovery.
        ShardRunTable: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
            TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
          },
        },
        ShardPlanRole: role('shardPlan', [
          runTable(['GetItem', 'PutItem', 'UpdateItem']),
          { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['ShardQueue', 'Arn'] } },
        ]),
        ShardWorkRole: role('shardWork', [
          runTable(['GetItem', 'PutItem', 'UpdateItem']),
          ...alerting,
          {
            Effect: 'Allow',
            Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
            Resource: { 'Fn::GetAtt': ['ShardQueue', 'Arn'] },
          },
        ]),
        ShardFinishRole: role('shardFinish', [runTable(['GetItem', 'UpdateItem']), ...alerting]),
        // As SsmKeyDecryptPolicy in serverless.yml, for the sharded functions that read secrets.
        ShardSsmKeyDecryptPolicy: {
          Type: 'AWS::IAM::Policy',
          Condition: 'UsesCustomSsmKey',
          Properties: {
            PolicyName: 'certwatch-shard-ssm-key-decrypt',
            Roles: [{ Ref: 'ShardWorkRole' }, { Ref: 'ShardFinishRole' }],
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: 'kms:Decrypt',
                  Resource: params.ssmKmsKeyArn,
                  Condition: {
                    StringEquals: {
                      'kms:ViaService': {
                        'Fn::Join': ['', ['ssm.', { Ref: 'AWS::Region' }, '.amazonaws.com']],
                      },
                    },
                  },
                },
              ],
            },
          },
        },
        ShardDeadLetterAlarm: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: {
            AlarmDescription:
              'A certwatch shard failed three times and went to the dead-letter queue: its run closes at its ' +
              "deadline naming it as not checked. Read the shardWork function's log for why.",
            Namespace: 'AWS/SQS',
            MetricName: 'ApproximateNumberOfMessagesVisible',
            Dimensions: [
              { Name: 'QueueName', Value: { 'Fn::GetAtt': ['ShardDeadLetterQueue', 'QueueName'] } },
            ],
            Statistic: 'Maximum',
            Period: 300,
            EvaluationPeriods: 1,
            Threshold: 1,
            ComparisonOperator: 'GreaterThanOrEqualToThreshold',
            TreatMissingData: 'notBreaching',
            AlarmActions: [{ Ref: 'AlertTopic' }],
          },
        },
        ShardPlanErrorsAlarm: errorsAlarm(
          'ShardPlanLambdaFunction',
          "certwatch could not plan a sharded run; read the shardPlan function's log",
        ),
        ShardFinishErrorsAlarm: errorsAlarm(
          'ShardFinishLambdaFunction',
          "certwatch could not close a sharded run (its digest is not sent); read the shardFinish function's log",
        ),
      },
      Outputs: {
        ShardDeadLetterQueueUrl: {
          Description: 'Shards that failed three times; redrive them to ShardQueue once the cause is fixed',
          Value: { Ref: 'ShardDeadLetterQueue' },
        },
      },
    },
  };
}

module.exports = async function resolve({ resolveVariable }) {
  const param = (name) => resolveVariable(`param:${name}`);
  const mode = await param('mode');
  if (mode !== 'sharded') return shardedMode({ mode });
  return shardedMode({
    mode,
    schedule: await param('scanSchedule'),
    shardRegions: await param('shardRegions'),
    shardDeadlineMinutes: await param('shardDeadlineMinutes'),
    shardConcurrency: await param('shardConcurrency'),
    ssmPath: await param('ssmPath'),
    secretParameters: await parameterNames(resolveVariable),
    ssmKmsKeyArn: await param('ssmKmsKeyArn'),
    service: await resolveVariable('self:service'),
    stage: await resolveVariable('sls:stage'),
  });
};
module.exports.shardedMode = shardedMode;
