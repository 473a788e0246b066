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
  Properties: Record<string, unknown>;
}
let dir: string;
let resources: Record<string, Resource>;
let conditions: Record<string, unknown>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'certwatch-package-'));
  const env = { ...process.env };
  for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'])
    delete env[key];
  await promisify(execFile)('npx', ['osls', 'package', '--package', dir], { env, timeout: 120_000 });
  const template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
  resources = template.Resources;
  conditions = template.Conditions;
}, 150_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);

it('runs the scan on the configured schedule, on Node 22, arm64', () => {
  const rule = ofType('AWS::Events::Rule')[0]!;
  expect(rule.Properties.ScheduleExpression).toBe('rate(1 day)');
  const fn = ofType('AWS::Lambda::Function')[0]!;
  expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
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
  expect(conditions.HasAlertEmail).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['none', 'none'] }] });
});

it('alarms to the alert topic when the function errors', () => {
  const alarm = ofType('AWS::CloudWatch::Alarm').find((a) => a.Properties.MetricName === 'Errors')!;
  expect(alarm.Properties).toMatchObject({ Namespace: 'AWS/Lambda', AlarmActions: [{ Ref: 'AlertTopic' }] });
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
  for (const statement of statements) {
    const actions = [statement.Action].flat().map(String);
    expect(actions.filter((action) => action === '*' || action.endsWith(':*'))).toEqual([]);
    expect([statement.Resource].flat()).not.toContain('*');
  }
});
