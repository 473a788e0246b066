import type { DescribeTableCommand, DescribeTableCommandOutput } from '@aws-sdk/client-dynamodb';
import {
  GetTopicAttributesCommand,
  type GetTopicAttributesCommandOutput,
  type ListSubscriptionsByTopicCommand,
  type ListSubscriptionsByTopicCommandOutput,
} from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { type SnsTopicClient, snsTopicCheck } from '../../../lib/channels/snsDoctor';
import {
  type DescribeTableClient,
  secretParameterResults,
  stateTableCheck,
} from '../../../lib/doctor/awsChecks';
import type { SecretParameterReading } from '../../../lib/secrets/ssm';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:certwatch-alerts';

/** An AWS SDK service error as the SDK throws it: what matters is its name. */
function awsError(name: string, message = 'refused'): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

/** A fake SNS: topic attributes, a subscription list, or errors for either call. */
function fakeSns(options: {
  attributes?: Record<string, string>;
  subscriptions?: { SubscriptionArn: string; Protocol: string }[];
  getError?: Error;
  listError?: Error;
}): SnsTopicClient & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async send(command: GetTopicAttributesCommand | ListSubscriptionsByTopicCommand) {
      calls.push(command.constructor.name);
      if (command instanceof GetTopicAttributesCommand) {
        if (options.getError) throw options.getError;
        return { Attributes: options.attributes ?? {}, $metadata: {} } as GetTopicAttributesCommandOutput;
      }
      if (options.listError) throw options.listError;
      return {
        Subscriptions: options.subscriptions ?? [],
        $metadata: {},
      } as ListSubscriptionsByTopicCommandOutput;
    },
  };
}

const region = (name: string | null) => async () => name;

describe('snsTopicCheck', () => {
  it('is OK with confirmed subscriptions, and does not list them', async () => {
    const sns = fakeSns({ attributes: { SubscriptionsConfirmed: '2', SubscriptionsPending: '1' } });
    expect(await snsTopicCheck(sns, TOPIC, region('eu-west-1')).run()).toEqual({
      status: 'ok',
      text: `SNS topic ${TOPIC}: 2 confirmed subscriptions, 1 pending`,
    });
    expect(sns.calls).toEqual(['GetTopicAttributesCommand']);
  });

  it('trusts the subscription list when the counts say nobody is confirmed (they lag)', async () => {
    const sns = fakeSns({
      attributes: { SubscriptionsConfirmed: '0', SubscriptionsPending: '0' },
      subscriptions: [
        { SubscriptionArn: `${TOPIC}:1`, Protocol: 'sqs' },
        { SubscriptionArn: `${TOPIC}:2`, Protocol: 'email' },
        { SubscriptionArn: 'PendingConfirmation', Protocol: 'email' },
      ],
    });
    expect(await snsTopicCheck(sns, TOPIC, region('eu-west-1')).run()).toEqual({
      status: 'ok',
      text: `SNS topic ${TOPIC}: 2 confirmed subscriptions (email, sqs), 1 pending`,
    });
  });

  it('warns in plain words when nobody would receive the alerts', async () => {
    const pendingOnly = fakeSns({
      subscriptions: [{ SubscriptionArn: 'PendingConfirmation', Protocol: 'email' }],
    });
    const result = await snsTopicCheck(pendingOnly, TOPIC, region('eu-west-1')).run();
    expect(result).toEqual({
      status: 'warn',
      text:
        `SNS topic ${TOPIC}: exists, but has no confirmed subscription (1 pending): nobody would receive the ` +
        'alerts; confirm a pending subscription (AWS mailed a link to each address)',
    });
    const empty = await snsTopicCheck(fakeSns({}), TOPIC, region('eu-west-1')).run();
    expect(empty.status).toBe('warn');
    expect(empty.text).toContain('(0 pending): nobody would receive the alerts; subscribe an address');
  });

  it("says the counts are the topic's own when the list may not be read", async () => {
    const sns = fakeSns({ listError: awsError('AuthorizationErrorException') });
    const result = await snsTopicCheck(sns, TOPIC, region('eu-west-1')).run();
    expect(result.status).toBe('warn');
    expect(result.text).toContain("(0 pending) by the topic's counts, which AWS refreshes only now and then");
  });

  it('fails when the topic does not exist, naming a region mismatch', async () => {
    const sns = fakeSns({ getError: awsError('NotFoundException', 'Topic does not exist') });
    expect(await snsTopicCheck(sns, TOPIC, region('us-east-1')).run()).toEqual({
      status: 'fail',
      text:
        `SNS topic ${TOPIC}: does not exist (NotFoundException); the SNS client uses us-east-1 but the topic ARN ` +
        'is in eu-west-1: set AWS_REGION=eu-west-1, or fix CERTWATCH_SNS_TOPIC_ARN',
    });
    const sameRegion = await snsTopicCheck(sns, TOPIC, region('eu-west-1')).run();
    expect(sameRegion.text).toBe(
      `SNS topic ${TOPIC}: does not exist (NotFoundException): check CERTWATCH_SNS_TOPIC_ARN (a deployed stack ` +
        'names its topic in the output AlertTopicArn)',
    );
  });

  it('fails on denied access, missing or rejected credentials, a missing region and the network', async () => {
    const text = async (error: Error, clientRegion: string | null = 'eu-west-1') =>
      (await snsTopicCheck(fakeSns({ getError: error }), TOPIC, region(clientRegion)).run()).text;
    expect(await text(awsError('AuthorizationErrorException'))).toBe(
      `SNS topic ${TOPIC}: access denied (AuthorizationErrorException): these AWS credentials may not ` +
        'sns:GetTopicAttributes on it, so doctor cannot tell whether it exists or has subscribers (alerts need ' +
        'sns:Publish)',
    );
    expect(
      await text(awsError('CredentialsProviderError', 'Could not load credentials from any providers')),
    ).toBe(
      `SNS topic ${TOPIC}: no AWS credentials were found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and ` +
        'AWS_SECRET_ACCESS_KEY, or run where a role provides them',
    );
    const rejected = await text(awsError('SignatureDoesNotMatch', 'canonical request quoted: canary-secret'));
    expect(rejected).toBe(
      `SNS topic ${TOPIC}: AWS rejected the credentials (SignatureDoesNotMatch): they are wrong or expired; ` +
        'refresh them',
    );
    expect(await text(new Error('Region is missing'), null)).toBe(
      `SNS topic ${TOPIC}: no AWS region is set: set AWS_REGION (the topic is in eu-west-1)`,
    );
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(await text(refused)).toBe(
      `SNS topic ${TOPIC}: could not reach the AWS endpoint (ECONNREFUSED): check the network, or ` +
        'AWS_ENDPOINT_URL_SNS if you set it',
    );
  });
});

function fakeDynamo(
  reply: Partial<NonNullable<DescribeTableCommandOutput['Table']>> | Error,
): DescribeTableClient {
  return {
    async send(_command: DescribeTableCommand) {
      if (reply instanceof Error) throw reply;
      return { Table: reply, $metadata: {} };
    },
  };
}

const pkTable = {
  TableStatus: 'ACTIVE' as const,
  KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' as const }],
  AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' as const }],
};

describe('stateTableCheck', () => {
  it('is OK for an active table keyed by pk', async () => {
    expect(await stateTableCheck(fakeDynamo(pkTable), 'certwatch-state').run()).toEqual({
      status: 'ok',
      text: 'state table certwatch-state (DynamoDB): ACTIVE, partition key pk (S)',
    });
  });

  it('fails for a table keyed otherwise, or with a sort key', async () => {
    const other = await stateTableCheck(
      fakeDynamo({
        ...pkTable,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      }),
      't',
    ).run();
    expect(other).toEqual({
      status: 'fail',
      text:
        'state table t (DynamoDB): its key is partition key id (S), but certwatch writes items keyed by partition ' +
        'key pk (S) and no sort key: point CERTWATCH_STATE_TABLE at the table serverless.yml creates',
    });
    const sorted = await stateTableCheck(
      fakeDynamo({
        ...pkTable,
        KeySchema: [...pkTable.KeySchema, { AttributeName: 'at', KeyType: 'RANGE' }],
      }),
      't',
    ).run();
    expect(sorted.status).toBe('fail');
    expect(sorted.text).toContain('partition key pk (S), sort key at, but');
    const numeric = await stateTableCheck(
      fakeDynamo({ ...pkTable, AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'N' }] }),
      't',
    ).run();
    expect(numeric.status).toBe('fail');
  });

  it('warns while the table is not ready, and fails when it does not exist', async () => {
    const creating = await stateTableCheck(fakeDynamo({ ...pkTable, TableStatus: 'CREATING' }), 't').run();
    expect(creating).toEqual({
      status: 'warn',
      text: 'state table t (DynamoDB): CREATING, partition key pk (S): it cannot take writes until it is ACTIVE',
    });
    const missing = await stateTableCheck(fakeDynamo(awsError('ResourceNotFoundException')), 't').run();
    expect(missing).toEqual({
      status: 'fail',
      text:
        'state table t (DynamoDB): does not exist (ResourceNotFoundException) in this region: check ' +
        'CERTWATCH_STATE_TABLE and AWS_REGION (the deployed stack creates it)',
    });
  });
});

describe('secretParameterResults', () => {
  const reading = (extra: Partial<SecretParameterReading>): SecretParameterReading =>
    ({
      setting: 'UCLOUD_PRIVATE_KEY',
      name: '/certwatch/ucloud/private-key',
      outcome: 'read',
      value: 'canary-ssm-value',
      type: 'SecureString',
      ...extra,
    }) as SecretParameterReading;

  it('says read and decrypted, names the parameter and never the value', () => {
    const [result] = secretParameterResults([reading({})], {}, 'eu-west-1');
    expect(result).toEqual({
      status: 'ok',
      text: 'SSM parameter /certwatch/ucloud/private-key (UCLOUD_PRIVATE_KEY_PARAMETER): read and decrypted',
    });
  });

  it('notes a key also set directly, and warns about a plain String', () => {
    const results = secretParameterResults(
      [reading({}), reading({ setting: 'UCLOUD_PUBLIC_KEY', name: '/p', type: 'String' })],
      { UCLOUD_PRIVATE_KEY: 'canary-env-value' },
      null,
    );
    expect(results[0]?.text).toMatch(
      /read and decrypted; used instead of UCLOUD_PRIVATE_KEY, which is set too$/,
    );
    expect(results[1]).toEqual({
      status: 'warn',
      text:
        'SSM parameter /p (UCLOUD_PUBLIC_KEY_PARAMETER): read, but it is a String, not a SecureString: the key is ' +
        'stored unencrypted; store it again with --type SecureString',
    });
    expect(JSON.stringify(results)).not.toContain('canary');
  });

  it('fails for a missing or unreadable parameter, in plain words', () => {
    const [missing, unreadable] = secretParameterResults(
      [
        { setting: 'UCLOUD_PRIVATE_KEY', name: '/nope', outcome: 'missing' },
        {
          setting: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
          name: '/k',
          outcome: 'unreadable',
          error: awsError('AccessDeniedException'),
        },
      ],
      {},
      'eu-west-1',
    );
    expect(missing).toEqual({
      status: 'fail',
      text:
        'SSM parameter /nope (UCLOUD_PRIVATE_KEY_PARAMETER): does not exist in eu-west-1: create it (SecureString), ' +
        'or fix the name',
    });
    expect(unreadable).toEqual({
      status: 'fail',
      text:
        'SSM parameter /k (ALIBABA_CLOUD_ACCESS_KEY_SECRET_PARAMETER): cannot be read: access denied ' +
        '(AccessDeniedException): these AWS credentials may not ssm:GetParameters (and kms:Decrypt on its key) on it',
    });
  });
});
