/**
 * The deployment, as CloudFormation will see it: `osls package` (no AWS credentials) into a temporary folder, then
 * assertions on the generated template — the schedule, the alarm, the state table, and least-privilege IAM.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';

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
let resources: Record<string, Resource>;
let conditions: Record<string, unknown>;
/** Packaged with every deploy parameter set away from its default. */
let custom: Template;

const KMS_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

async function packageInto(target: string, params: string[]): Promise<Template> {
  const env = { ...process.env };
  for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'])
    delete env[key];
  const args = ['osls', 'package', '--package', target, ...params.map((p) => `--param=${p}`)];
  await promisify(execFile)('npx', args, { env, timeout: 120_000 });
  return JSON.parse(readFileSync(join(target, 'cloudformation-template-update-stack.json'), 'utf8'));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'certwatch-package-'));
  // One after the other: serverless-esbuild builds in the service's own .esbuild folder.
  const template = await packageInto(join(dir, 'default'), []);
  custom = await packageInto(join(dir, 'custom'), [
    'scanSchedule=rate(6 hours)',
    `ssmKmsKeyArn=${KMS_KEY}`,
    'alertEmail=ops@example.com',
  ]);
  resources = template.Resources;
  conditions = template.Conditions;
}, 200_000);
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
    {
      'Fn::Join': [
        '',
        ['arn:aws:ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':parameter/certwatch/*'],
      ],
    },
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

it('ships the handler without the AWS SDK, which the nodejs22.x runtime provides (npm run bench:coldstart)', () => {
  const zip = readFileSync(join(dir, 'default', 'certwatch.zip'));
  // File names sit uncompressed in the zip's central directory (signature PK\x01\x02, name at offset 46).
  const names: string[] = [];
  for (let at = zip.indexOf('PK\x01\x02'); at >= 0; at = zip.indexOf('PK\x01\x02', at + 4)) {
    const length = zip.readUInt16LE(at + 28);
    names.push(zip.subarray(at + 46, at + 46 + length).toString());
  }
  expect(names.sort()).toEqual(['functions/scan.cjs', 'functions/scan.cjs.map']);
  // With the SDK bundled the zip is about 1.2 MB; without it, about half a megabyte.
  expect(zip.length).toBeLessThan(800_000);
});
