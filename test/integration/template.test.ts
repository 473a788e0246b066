/**
 * The deployment, as CloudFormation will see it: `osls package` (no AWS credentials) into a temporary folder, then
 * assertions on the generated template — the schedule, the alarm, the state table, least-privilege IAM (secrets
 * scoped to the stage, ARNs in the stack's own partition) and the encrypted alert topic.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Resource {
  Type: string;
  Condition?: string;
  Properties: Record<string, unknown>;
}
interface Template {
  Resources: Record<string, Resource>;
  Conditions: Record<string, unknown>;
}
let dir: string;
/** Packaged with every default (stage dev). */
let defaults: Template;
let resources: Record<string, Resource>;
let conditions: Record<string, unknown>;
/** Packaged for the stage prod with every deploy parameter set away from its default. */
let custom: Template;
/** Packaged in the sharded mode (`--param="mode=sharded"`), with a customer-managed SSM key and key parameters. */
let sharded: Template;

/** In the China partition: the stack must work there too (no hand-built `arn:aws:`). */
const KMS_KEY = 'arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
/** The key parameters a sharded deployer names, under the dev stage's ssmPath. */
const SHARDED_PARAMETERS = {
  UCLOUD_PUBLIC_KEY_PARAMETER: '/certwatch/dev/ucloud/public-key',
  UCLOUD_PRIVATE_KEY_PARAMETER: '/certwatch/dev/ucloud/private-key',
  CERTWATCH_SLACK_URL_PARAMETER: '/certwatch/dev/slack/url',
};

async function packageInto(
  target: string,
  params: string[],
  options: { stage?: string; env?: Record<string, string> } = {},
): Promise<Template> {
  const env = { ...process.env, ...options.env };
  for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'])
    delete env[key];
  const args = ['osls', 'package', '--package', target, ...params.map((p) => `--param=${p}`)];
  if (options.stage) args.push('--stage', options.stage);
  await promisify(execFile)('npx', args, { env, timeout: 120_000 });
  return JSON.parse(readFileSync(join(target, 'cloudformation-template-update-stack.json'), 'utf8'));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'certwatch-package-'));
  // One after the other: serverless-esbuild builds in the service's own .esbuild folder.
  const template = await packageInto(join(dir, 'default'), []);
  custom = await packageInto(
    join(dir, 'custom'),
    [
      'scanSchedule=rate(6 hours)',
      `ssmKmsKeyArn=${KMS_KEY}`,
      'alertEmail=ops@example.com',
      'memory=256',
      'emailFrom=certwatch <certwatch@example.com>',
      'emailTo=ops@example.com,oncall@example.com',
    ],
    { stage: 'prod' },
  );
  sharded = await packageInto(
    join(dir, 'sharded'),
    [
      'mode=sharded',
      `ssmKmsKeyArn=${KMS_KEY}`,
      'emailFrom=alerts@example.com',
      'emailTo=ops@example.com',
      'emailIdentity=example.com',
    ],
    { env: SHARDED_PARAMETERS },
  );
  defaults = template;
  resources = template.Resources;
  conditions = template.Conditions;
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A CloudFormation condition of the shape `Not [Equals [a, b]]`, evaluated. */
function holds(condition: unknown): boolean {
  const [equals] = (condition as { 'Fn::Not': [{ 'Fn::Equals': [string, string] }] })['Fn::Not'];
  return equals['Fn::Equals'][0] !== equals['Fn::Equals'][1];
}

const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);

it('runs the scan on the configured schedule, on Node 22, arm64, with the memory and time the benchmark asks', () => {
  const rule = ofType('AWS::Events::Rule')[0]!;
  expect(rule.Properties.ScheduleExpression).toBe('rate(1 day)');
  const customRule = Object.values(custom.Resources).find((r) => r.Type === 'AWS::Events::Rule')!;
  expect(customRule.Properties.ScheduleExpression).toBe('rate(6 hours)');
  const fn = ofType('AWS::Lambda::Function')[0]!;
  expect(fn.Properties).toMatchObject({
    Runtime: 'nodejs22.x',
    Architectures: ['arm64'],
    MemorySize: 512,
    Timeout: 900,
  });
});

it('holds V8’s heap below the function’s memory, so a large scan collects garbage instead of being killed', () => {
  const heapOf = (template: Template) =>
    Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((fn) => {
        const variables = (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
        const heap = /--max-old-space-size=(\d+)/.exec(variables.NODE_OPTIONS ?? '');
        expect(heap, 'NODE_OPTIONS sets --max-old-space-size').not.toBeNull();
        expect(Number(heap![1])).toBeLessThanOrEqual(0.8 * Number(fn.Properties.MemorySize));
        return { memory: fn.Properties.MemorySize, heap: Number(heap![1]) };
      });
  expect(heapOf({ Resources: resources } as Template)).toContainEqual({ memory: 512, heap: 384 });
  // --param=memory=256: the size the benchmark holds 100,000 certificates in (deploy/memory.cjs).
  expect(heapOf(custom)).toContainEqual({ memory: 256, heap: 160 });
  expect(heapOf(sharded).every(({ memory }) => memory === 512)).toBe(true);
});

it('keeps alert history in a table with TTL and point-in-time recovery', () => {
  const table = ofType('AWS::DynamoDB::Table')[0]!;
  expect(table.Properties).toMatchObject({
    BillingMode: 'PAY_PER_REQUEST',
    TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
  });
});

it('holds no provider key in the function environment, only SSM parameter names', () => {
  const fn = ofType('AWS::Lambda::Function')[0]!;
  const variables = Object.keys(
    (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
  );
  const secrets = [
    'UCLOUD_PUBLIC_KEY',
    'UCLOUD_PRIVATE_KEY',
    'ALIBABA_CLOUD_ACCESS_KEY_ID',
    'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  ];
  for (const secret of secrets) {
    expect(variables).not.toContain(secret);
    expect(variables).toContain(`${secret}_PARAMETER`);
  }
});

it('subscribes an email address only when one is given', () => {
  const subscription = resources.AlertEmailSubscription as Resource & { Condition: string };
  expect(subscription).toMatchObject({ Type: 'AWS::SNS::Subscription', Condition: 'HasAlertEmail' });
  expect(subscription.Properties).toMatchObject({ Protocol: 'email', TopicArn: { Ref: 'AlertTopic' } });
  expect(holds(conditions.HasAlertEmail)).toBe(false);
  expect(holds(custom.Conditions.HasAlertEmail)).toBe(true);
  expect(custom.Resources.AlertEmailSubscription!.Properties.Endpoint).toBe('ops@example.com');
});

it('grants ses:SendEmail only when an email channel is configured, on its identity, as its sender only', () => {
  const everyStatement = JSON.stringify(resources);
  expect(everyStatement).not.toContain('ses:');
  const variables = (template: Template) =>
    (
      Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function')!.Properties
        .Environment as { Variables: Record<string, unknown> }
    ).Variables;
  expect(variables(custom)).toMatchObject({
    CERTWATCH_EMAIL_FROM: 'certwatch <certwatch@example.com>',
    CERTWATCH_EMAIL_TO: 'ops@example.com,oncall@example.com',
  });
  const statement = (template: Template) =>
    (template.Resources.EmailSendPolicy!.Properties.PolicyDocument as { Statement: unknown[] }).Statement;
  expect(statement(custom)).toEqual([
    {
      Effect: 'Allow',
      Action: 'ses:SendEmail',
      Resource: {
        'Fn::Sub':
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax, not JavaScript's
          'arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/certwatch@example.com',
      },
      Condition: { StringEquals: { 'ses:FromAddress': 'certwatch@example.com' } },
    },
  ]);
  expect(custom.Resources.EmailSendPolicy!.Properties.Roles).toEqual([{ Ref: 'IamRoleLambdaExecution' }]);
  // Sharded: the worker that records the last shard, or the finisher, sends the digest; a verified domain is the identity.
  expect(sharded.Resources.EmailSendPolicy!.Properties.Roles).toEqual([
    { Ref: 'IamRoleLambdaExecution' },
    { Ref: 'ShardWorkRole' },
    { Ref: 'ShardFinishRole' },
  ]);
  expect(JSON.stringify(statement(sharded))).toContain(':identity/example.com');
});

it('holds no chat webhook URL or secret in the environment, only SSM parameter names', () => {
  const fn = ofType('AWS::Lambda::Function')[0]!;
  const variables = Object.keys(
    (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
  );
  for (const secret of [
    'CERTWATCH_DINGTALK_URL',
    'CERTWATCH_DINGTALK_SECRET',
    'CERTWATCH_FEISHU_URL',
    'CERTWATCH_FEISHU_SECRET',
    'CERTWATCH_WECOM_URL',
    'CERTWATCH_SLACK_URL',
  ]) {
    expect(variables).not.toContain(secret);
    expect(variables).toContain(`${secret}_PARAMETER`);
  }
});

it('alarms to the alert topic when the function errors', () => {
  const alarm = ofType('AWS::CloudWatch::Alarm').find((a) => a.Properties.MetricName === 'Errors')!;
  expect(alarm.Properties).toMatchObject({
    Namespace: 'AWS/Lambda',
    Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'ScanLambdaFunction' } }],
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    AlarmActions: [{ Ref: 'AlertTopic' }],
  });
});

it('alarms when no scheduled run finished within the interval plus a margin, missing data counting as breaching', () => {
  const fn = ofType('AWS::Lambda::Function')[0]!;
  const namespace = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables
    .CERTWATCH_METRICS_NAMESPACE;
  const heartbeat = (template: Template) =>
    Object.values(template.Resources).find(
      (r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.MetricName === 'Heartbeat',
    )!.Properties;
  // The alarm watches the very namespace the function writes to.
  expect(heartbeat({ Resources: resources, Conditions: conditions })).toMatchObject({
    Namespace: namespace,
    Dimensions: [{ Name: 'Mode', Value: 'scheduled' }],
    Statistic: 'Sum',
    Period: 3600,
    EvaluationPeriods: 27,
    DatapointsToAlarm: 27,
    Threshold: 1,
    ComparisonOperator: 'LessThanThreshold',
    TreatMissingData: 'breaching',
    AlarmActions: [{ Ref: 'AlertTopic' }],
  });
  expect(namespace).toBe('Certwatch/dev');
  // The window follows the schedule: 6 hours plus a margin.
  expect(heartbeat(custom)).toMatchObject({ EvaluationPeriods: 7, DatapointsToAlarm: 7 });
});

it('grants kms:Decrypt only for a customer-managed SSM key, on that key, and only via SSM', () => {
  expect(holds(conditions.UsesCustomSsmKey)).toBe(false);
  expect(holds(custom.Conditions.UsesCustomSsmKey)).toBe(true);
  const policy = custom.Resources.SsmKeyDecryptPolicy!;
  expect(policy.Condition).toBe('UsesCustomSsmKey');
  expect(policy.Properties).toMatchObject({
    Roles: [{ Ref: 'IamRoleLambdaExecution' }],
    PolicyDocument: {
      Statement: [
        {
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: KMS_KEY,
          Condition: {
            // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax, not JavaScript's
            StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' } },
          },
        },
      ],
    },
  });
});

it('grants no wildcard resource and no wildcard action to the function', () => {
  const role = resources.IamRoleLambdaExecution!;
  const policies = role.Properties.Policies as {
    PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] };
  }[];
  const statements = policies.flatMap((p) => p.PolicyDocument.Statement);
  const ours = statements.filter((s) => JSON.stringify(s.Action).match(/sns:|dynamodb:|ssm:/));
  expect(ours.map((s) => s.Action)).toEqual([
    ['sns:Publish'],
    ['ssm:GetParameters'],
    [
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    ],
  ]);
  expect(ours.map((s) => s.Resource)).toEqual([
    { Ref: 'AlertTopic' },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax, not JavaScript's
    { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/certwatch/dev/*' },
    { 'Fn::GetAtt': ['AlertStateTable', 'Arn'] },
  ]);
  const everyPolicy = [resources, custom.Resources].flatMap((all) => Object.values(all));
  const everyStatement = everyPolicy.flatMap((resource) => {
    if (resource.Type === 'AWS::IAM::Policy')
      return (resource.Properties.PolicyDocument as { Statement: typeof statements }).Statement;
    if (resource.Type === 'AWS::IAM::Role')
      return ((resource.Properties.Policies ?? []) as typeof policies).flatMap(
        (p) => p.PolicyDocument.Statement,
      );
    return [];
  });
  expect(everyStatement.length).toBeGreaterThan(statements.length);
  for (const statement of everyStatement) {
    const actions = [statement.Action].flat().map(String);
    expect(actions.filter((action) => action === '*' || action.endsWith(':*'))).toEqual([]);
    expect([statement.Resource].flat()).not.toContain('*');
  }
});

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Principal?: unknown };

/** Every statement of the template's IAM roles and policies, by the role it applies to. */
function statementsByRole(template: Template): Map<string, Statement[]> {
  const byRole = new Map<string, Statement[]>();
  const add = (role: string, statements: Statement[]) =>
    byRole.set(role, [...(byRole.get(role) ?? []), ...statements]);
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::IAM::Role') {
      const policies = (resource.Properties.Policies ?? []) as {
        PolicyDocument: { Statement: Statement[] };
      }[];
      add(
        id,
        policies.flatMap((policy) => policy.PolicyDocument.Statement),
      );
    } else if (resource.Type === 'AWS::IAM::Policy') {
      const { Roles, PolicyDocument } = resource.Properties as {
        Roles: { Ref: string }[];
        PolicyDocument: { Statement: Statement[] };
      };
      for (const role of Roles) add(role.Ref, PolicyDocument.Statement);
    }
  }
  return byRole;
}
const actionsIn = (statement: Statement) => [statement.Action].flat();

it('lets each stage read only its own secrets: ssm:GetParameters under /certwatch/<stage>/, in the stack’s partition', () => {
  const under = (path: string) => ({
    'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${path}/*`,
  });
  const readable = (template: Template) =>
    [...statementsByRole(template)].flatMap(([role, statements]) =>
      statements.filter((s) => actionsIn(s).some((a) => a.startsWith('ssm:'))).map((s) => [role, s.Resource]),
    );
  expect(readable(defaults)).toEqual([['IamRoleLambdaExecution', under('/certwatch/dev')]]);
  expect(readable(custom)).toEqual([['IamRoleLambdaExecution', under('/certwatch/prod')]]);
  expect(readable(sharded)).toEqual([
    ['IamRoleLambdaExecution', under('/certwatch/dev')],
    ['ShardWorkRole', under('/certwatch/dev')],
    ['ShardFinishRole', under('/certwatch/dev')],
  ]);
});

it('builds every ARN with the stack’s partition, so it deploys to AWS China and GovCloud too', () => {
  for (const [name, template] of [
    ['default', defaults],
    ['custom', custom],
    ['sharded', sharded],
  ] as const) {
    expect(JSON.stringify(template).match(/arn:aws:[^"]*/g) ?? [], name).toEqual([]);
  }
  // The SES policy and the log groups were already built so; the China key given here goes through as it is.
  expect(JSON.stringify(custom)).toContain(KMS_KEY);
});

it('encrypts the alert topic with a key of its own that its alarms and every publisher may use', () => {
  for (const template of [defaults, custom, sharded]) {
    const { AlertTopic, AlertTopicKey } = template.Resources;
    expect(AlertTopic!.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': ['AlertTopicKey', 'Arn'] });
    expect(AlertTopicKey).toMatchObject({ Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } });
    const policy = (AlertTopicKey!.Properties.KeyPolicy as { Statement: Statement[] }).Statement;
    // The account's IAM policies count (the roles below), as in the default key policy.
    expect(policy).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax, not JavaScript's
        Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
      }),
    );
    // CloudWatch alarms encrypt what they publish with the topic's key: this account's alarms only.
    expect(policy.filter((statement) => JSON.stringify(statement.Principal).includes('cloudwatch'))).toEqual([
      {
        Sid: 'CloudWatchAlarmsPublishToTopic',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        Resource: '*',
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: {
            'aws:SourceArn': {
              // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax, not JavaScript's
              'Fn::Sub': 'arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*',
            },
          },
        },
      },
    ]);
    // Which matters because every alarm (errors, dead-man, dead letters) publishes to that topic.
    const alarms = Object.values(template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThanOrEqual(2);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: 'AlertTopic' }]);
    // Every role that may publish to the topic may use its key (SNS asks KMS with the publisher's rights).
    const publishers = [...statementsByRole(template)].filter(([, statements]) =>
      statements.some((s) => actionsIn(s).includes('sns:Publish')),
    );
    expect(publishers.length).toBeGreaterThan(0);
    for (const [role, statements] of publishers) {
      const key = statements.filter(
        (s) => JSON.stringify(s.Resource) === JSON.stringify({ 'Fn::GetAtt': ['AlertTopicKey', 'Arn'] }),
      );
      expect(key.flatMap(actionsIn).sort(), role).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    }
    expect(JSON.stringify(template)).not.toContain('alias/aws/sns');
  }
  expect(
    [...statementsByRole(sharded)]
      .filter(([, s]) => s.some((x) => actionsIn(x).includes('sns:Publish')))
      .map(([r]) => r)
      .sort(),
  ).toEqual(['IamRoleLambdaExecution', 'ShardFinishRole', 'ShardWorkRole']);
});

/** Name and compressed size of each file in a zip, from its central directory (signature PK\x01\x02). */
function zipEntries(zip: Buffer): { name: string; compressedBytes: number }[] {
  const entries: { name: string; compressedBytes: number }[] = [];
  for (let at = zip.indexOf('PK\x01\x02'); at >= 0; at = zip.indexOf('PK\x01\x02', at + 4)) {
    const length = zip.readUInt16LE(at + 28);
    entries.push({
      name: zip.subarray(at + 46, at + 46 + length).toString(),
      compressedBytes: zip.readUInt32LE(at + 20),
    });
  }
  return entries;
}

/** Issue 6's target for one function's bundle, zipped (npm run bench:coldstart). */
const BUNDLE_ZIPPED_MAX = 150 * 1024;

it.each([
  ['default', ['scan']],
  ['sharded', ['scan', 'shardPlan', 'shardWork', 'shardFinish']],
])(
  'ships each %s-mode handler as one bundle of at most 150 KB zipped: no AWS SDK (the runtime has it), no source map',
  (mode, handlers) => {
    const entries = zipEntries(readFileSync(join(dir, mode, 'certwatch.zip')));
    expect(entries.map((entry) => entry.name).sort()).toEqual(
      handlers.map((handler) => `functions/${handler}.cjs`).sort(),
    );
    // Per bundle, not per zip: the sharded mode puts four handlers in the service's one zip.
    for (const entry of entries)
      expect(entry.compressedBytes, entry.name).toBeLessThanOrEqual(BUNDLE_ZIPPED_MAX);
  },
);

/** One file of a zip, inflated (method 8) or stored (method 0). */
function unzipEntry(zip: Buffer, name: string): Buffer {
  for (let at = zip.indexOf('PK\x01\x02'); at >= 0; at = zip.indexOf('PK\x01\x02', at + 4)) {
    const nameLength = zip.readUInt16LE(at + 28);
    if (zip.subarray(at + 46, at + 46 + nameLength).toString() !== name) continue;
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const local = zip.readUInt32LE(at + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    return method === 0 ? data : inflateRawSync(data);
  }
  throw new Error(`${name} is not in the zip`);
}

it('leaves the YAML parser out of the function, which then asks for JSON rules in so many words', async () => {
  const bundle = unzipEntry(readFileSync(join(dir, 'default', 'certwatch.zip')), 'functions/scan.cjs');
  const work = mkdtempSync(join(tmpdir(), 'certwatch-bundle-'));
  try {
    writeFileSync(join(work, 'scan.cjs'), bundle);
    // As the Lambda runtime: the AWS SDK is there, nothing else is.
    mkdirSync(join(work, 'node_modules'));
    symlinkSync(join(process.cwd(), 'node_modules', '@aws-sdk'), join(work, 'node_modules', '@aws-sdk'));
    writeFileSync(
      join(work, 'rules.yaml'),
      'rules:\n  - match: { name: shop }\n    ignore: true\n    reason: test\n',
    );
    writeFileSync(
      join(work, 'rules.json'),
      '{"rules":[{"match":{"name":"shop"},"ignore":true,"reason":"test"}]}',
    );
    const run = (rules: string) =>
      promisify(execFile)(
        process.execPath,
        [
          '-e',
          "require('./scan.cjs').handler({mode:'audit'}).then(()=>console.log('ran'),e=>console.log(e.message))",
        ],
        {
          cwd: work,
          timeout: 30_000,
          env: {
            PATH: process.env.PATH,
            CERTWATCH_RULES_FILE: join(work, rules),
            // A provider the audit cannot reach: the run only needs to get past its setup.
            UCLOUD_PUBLIC_KEY: 'k',
            UCLOUD_PRIVATE_KEY: 's',
            UCLOUD_REGIONS: 'cn-bj2',
            UCLOUD_API_URL: 'http://127.0.0.1:9',
            CERTWATCH_REQUEST_TIMEOUT_MS: '500',
          },
        },
      );
    const yaml = await run('rules.yaml');
    expect(yaml.stdout).toMatch(
      /rules\.yaml: YAML rules are read by the certwatch CLI.*convert the file to JSON/,
    );
    const json = await run('rules.json');
    expect(json.stdout).toMatch(/\nran\n$/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}, 60_000);

describe('the sharded mode (--param="mode=sharded")', () => {
  const shardedOfType = (type: string) =>
    Object.entries(sharded.Resources).filter(([, resource]) => resource.Type === type);
  type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
  const statementsOf = (roleId: string): Statement[] =>
    (
      sharded.Resources[roleId]!.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]
    ).flatMap((policy) => policy.PolicyDocument.Statement);
  const actionsOf = (roleId: string) =>
    statementsOf(roleId).flatMap((statement) => [statement.Action].flat());

  it('is absent from the default template', () => {
    expect(Object.keys(resources).filter((id) => id.startsWith('Shard'))).toEqual([]);
    expect(ofType('AWS::Lambda::Function')).toHaveLength(1);
  });

  it('runs the planner on the scan schedule instead of the scan, and the finisher every 15 minutes', () => {
    const rules = Object.fromEntries(
      shardedOfType('AWS::Events::Rule').map(([id, rule]) => [
        id,
        [rule.Properties.ScheduleExpression, rule.Properties.State],
      ]),
    );
    expect(rules).toEqual({
      ScanEventsRuleSchedule1: ['rate(1 day)', 'DISABLED'],
      ShardPlanEventsRuleSchedule1: ['rate(1 day)', 'ENABLED'],
      ShardFinishEventsRuleSchedule1: ['rate(15 minutes)', 'ENABLED'],
    });
    const functions = Object.fromEntries(
      shardedOfType('AWS::Lambda::Function').map(([id, fn]) => [id, fn.Properties]),
    );
    expect(Object.keys(functions).sort()).toEqual([
      'ScanLambdaFunction',
      'ShardFinishLambdaFunction',
      'ShardPlanLambdaFunction',
      'ShardWorkLambdaFunction',
    ]);
    expect(functions.ShardPlanLambdaFunction).toMatchObject({
      Handler: 'functions/shardPlan.handler',
      Role: { 'Fn::GetAtt': ['ShardPlanRole', 'Arn'] },
      Environment: {
        Variables: {
          CERTWATCH_RUN_TABLE: { Ref: 'ShardRunTable' },
          CERTWATCH_SHARD_QUEUE_URL: { Ref: 'ShardQueue' },
          CERTWATCH_SHARD_REGIONS: '4',
          CERTWATCH_SHARD_DEADLINE_MINUTES: '240',
        },
      },
    });
    expect(functions.ShardWorkLambdaFunction).toMatchObject({
      Timeout: 900,
      Role: { 'Fn::GetAtt': ['ShardWorkRole', 'Arn'] },
    });
    expect(functions.ShardFinishLambdaFunction).toMatchObject({
      Role: { 'Fn::GetAtt': ['ShardFinishRole', 'Arn'] },
    });
    const zip = readFileSync(join(dir, 'sharded', 'certwatch.zip')).toString('latin1');
    for (const handler of ['scan', 'shardPlan', 'shardWork', 'shardFinish'])
      expect(zip).toContain(`functions/${handler}.cjs`);
  });

  it('feeds the worker one message at a time from a queue with a dead-letter queue after three attempts', () => {
    const queue = sharded.Resources.ShardQueue!;
    expect(queue.Properties).toMatchObject({
      // At least six times the worker's timeout, as AWS asks for a queue Lambda consumes.
      VisibilityTimeout: 5400,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': ['ShardDeadLetterQueue', 'Arn'] },
        maxReceiveCount: 3,
      },
    });
    expect(sharded.Resources.ShardWorkEventSource).toMatchObject({
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        EventSourceArn: { 'Fn::GetAtt': ['ShardQueue', 'Arn'] },
        FunctionName: { 'Fn::GetAtt': ['ShardWorkLambdaFunction', 'Arn'] },
        BatchSize: 1,
        ScalingConfig: { MaximumConcurrency: 5 },
      },
    });
    expect(sharded.Resources.ShardRunTable!.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('gives each sharded function a role of its own, allowed only what it does, on our resources only', () => {
    const queueArn = { 'Fn::GetAtt': ['ShardQueue', 'Arn'] };
    const runTable = { 'Fn::GetAtt': ['ShardRunTable', 'Arn'] };
    const plan = statementsOf('ShardPlanRole');
    expect(plan.find((s) => s.Action === 'sqs:SendMessage')?.Resource).toEqual(queueArn);
    expect(actionsOf('ShardPlanRole').filter((a) => /^(sqs|sns|dynamodb):/.test(a))).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'sqs:SendMessage',
    ]);
    const work = statementsOf('ShardWorkRole');
    expect(work.find((s) => [s.Action].flat().includes('sqs:ReceiveMessage'))).toMatchObject({
      Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
      Resource: queueArn,
    });
    expect(
      work.find((s) => s.Resource && JSON.stringify(s.Resource) === JSON.stringify(runTable))?.Action,
    ).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(actionsOf('ShardWorkRole')).toContain('sns:Publish');
    expect(actionsOf('ShardFinishRole').filter((a) => a.startsWith('sqs:'))).toEqual([]);
    // The scan function's shared role gains nothing in sharded mode (no queue actions, for one).
    expect(sharded.Resources.IamRoleLambdaExecution!.Properties.Policies).toEqual(
      resources.IamRoleLambdaExecution!.Properties.Policies,
    );
    for (const roleId of ['ShardPlanRole', 'ShardWorkRole', 'ShardFinishRole']) {
      const logs = statementsOf(roleId).find((s) => [s.Action].flat().includes('logs:PutLogEvents'))!;
      const fn = roleId.replace('Shard', 'shard').replace('Role', '');
      expect(JSON.stringify(logs.Resource)).toContain(`:log-group:/aws/lambda/certwatch-dev-${fn}:*`);
      for (const statement of statementsOf(roleId)) {
        expect([statement.Action].flat().filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
        expect([statement.Resource].flat()).not.toContain('*');
      }
    }
    expect(sharded.Resources.ShardSsmKeyDecryptPolicy).toMatchObject({
      Condition: 'UsesCustomSsmKey',
      Properties: {
        Roles: [{ Ref: 'ShardWorkRole' }, { Ref: 'ShardFinishRole' }],
        PolicyDocument: { Statement: [{ Action: 'kms:Decrypt', Resource: KMS_KEY }] },
      },
    });
  });

  it('gives the planner no secret: no SSM permission, no parameter name, only which providers have keys', () => {
    expect(actionsOf('ShardPlanRole').filter((action) => /^(ssm|kms):/.test(action))).toEqual([]);
    const environment = (id: string) =>
      (sharded.Resources[id]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const plan = environment('ShardPlanLambdaFunction');
    expect(Object.keys(plan).filter((key) => key.endsWith('_PARAMETER'))).toEqual([]);
    expect(plan.CERTWATCH_SHARD_PROVIDERS).toBe('ucloud');
    // The worker scans with the keys and the finisher sends the digest (a Slack URL): they read secrets.
    for (const [fn, role] of [
      ['ShardWorkLambdaFunction', 'ShardWorkRole'],
      ['ShardFinishLambdaFunction', 'ShardFinishRole'],
    ] as const) {
      expect(environment(fn)).toMatchObject(SHARDED_PARAMETERS);
      expect(actionsOf(role)).toContain('ssm:GetParameters');
    }
    // Nor does the planner's code: its bundle holds no SSM client call.
    const bundle = unzipEntry(readFileSync(join(dir, 'sharded', 'certwatch.zip')), 'functions/shardPlan.cjs');
    expect(bundle.toString()).not.toContain('GetParametersCommand');
  });

  it('alarms on a dead letter and on planner or finisher errors; the dead-man alarm is the one of the default', () => {
    const alarms = Object.fromEntries(shardedOfType('AWS::CloudWatch::Alarm'));
    expect(alarms.ShardDeadLetterAlarm!.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['ShardDeadLetterQueue', 'QueueName'] } }],
      AlarmActions: [{ Ref: 'AlertTopic' }],
    });
    for (const [alarm, fn] of [
      ['ShardPlanErrorsAlarm', 'ShardPlanLambdaFunction'],
      ['ShardFinishErrorsAlarm', 'ShardFinishLambdaFunction'],
    ] as const) {
      expect(alarms[alarm]!.Properties).toMatchObject({
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
        AlarmActions: [{ Ref: 'AlertTopic' }],
      });
    }
    // The closing of a sharded run writes the scheduled heartbeat, so the same alarm watches it.
    expect(alarms.ScanHeartbeatAlarm).toEqual(resources.ScanHeartbeatAlarm);
  });
});
