/**
 * The AWS side of the configuration: the SSM parameters holding provider keys and the DynamoDB table of alert
 * history (the SNS topic is the SNS channel's own check, lib/channels/snsDoctor.ts). Clients are injected (SDK
 * clients, or fakes in tests).
 */
import { DescribeTableCommand, type DescribeTableCommandOutput } from '@aws-sdk/client-dynamodb';
import { explainAwsError } from '../checks/awsErrors';
import type { Check, CheckResult } from '../checks/check';
import type { SecretParameterReading } from '../secrets/ssm';
import { PARTITION_KEY } from '../state/dynamodb';

/** The one DynamoDB call doctor makes; DynamoDBClient satisfies it. */
export interface DescribeTableClient {
  send(command: DescribeTableCommand): Promise<DescribeTableCommandOutput>;
}

/** DescribeTable: the table exists, is usable, and is keyed as the DynamoDB state store writes it. */
export function stateTableCheck(dynamodb: DescribeTableClient, tableName: string): Check {
  const subject = `state table ${tableName} (DynamoDB)`;
  return {
    subject,
    async run(): Promise<CheckResult> {
      let table: NonNullable<DescribeTableCommandOutput['Table']>;
      try {
        table = (await dynamodb.send(new DescribeTableCommand({ TableName: tableName }))).Table ?? {};
      } catch (error) {
        const problem = explainAwsError(error, {
          action: 'dynamodb:DescribeTable',
          endpointSetting: 'AWS_ENDPOINT_URL_DYNAMODB',
          notFound: ['ResourceNotFoundException'],
        });
        const advice =
          problem.kind === 'not-found'
            ? ' in this region: check CERTWATCH_STATE_TABLE and AWS_REGION (the deployed stack creates it)'
            : '';
        return { status: 'fail', text: `${subject}: ${problem.words}${advice}` };
      }
      const keys = table.KeySchema ?? [];
      const hash = keys.find((key) => key.KeyType === 'HASH')?.AttributeName;
      const range = keys.find((key) => key.KeyType === 'RANGE')?.AttributeName;
      const hashType = table.AttributeDefinitions?.find((a) => a.AttributeName === hash)?.AttributeType;
      if (hash !== PARTITION_KEY || hashType !== 'S' || range !== undefined) {
        const has = `${hash ?? 'none'}${hashType ? ` (${hashType})` : ''}${range ? `, sort key ${range}` : ''}`;
        return {
          status: 'fail',
          text:
            `${subject}: its key is partition key ${has}, but certwatch writes items keyed by partition key ` +
            `${PARTITION_KEY} (S) and no sort key: point CERTWATCH_STATE_TABLE at the table serverless.yml creates`,
        };
      }
      const status = table.TableStatus ?? 'unknown status';
      const seen = `${status}, partition key ${PARTITION_KEY} (S)`;
      if (status === 'ACTIVE' || status === 'UPDATING') return { status: 'ok', text: `${subject}: ${seen}` };
      return { status: 'warn', text: `${subject}: ${seen}: it cannot take writes until it is ACTIVE` };
    },
  };
}

/**
 * One line per `<KEY>_PARAMETER`: read and decrypted, or why not. Names the parameter, never its value.
 * `env` tells whether the key is also set directly (the parameter wins, as in Lambda); `region` is SSM's, when
 * known, for the "does not exist" line.
 */
export function secretParameterResults(
  readings: readonly SecretParameterReading[],
  env: Readonly<Record<string, string | undefined>>,
  region: string | null,
): CheckResult[] {
  return readings.map((reading): CheckResult => {
    const subject = `SSM parameter ${reading.name} (${reading.setting}_PARAMETER)`;
    if (reading.outcome === 'read') {
      const shadows = env[reading.setting]?.trim()
        ? `; used instead of ${reading.setting}, which is set too`
        : '';
      if (reading.type === 'SecureString' || reading.type === undefined) {
        return { status: 'ok', text: `${subject}: read and decrypted${shadows}` };
      }
      return {
        status: 'warn',
        text:
          `${subject}: read, but it is a ${reading.type}, not a SecureString: the key is stored unencrypted; ` +
          `store it again with --type SecureString${shadows}`,
      };
    }
    if (reading.outcome === 'missing') {
      return {
        status: 'fail',
        text: `${subject}: does not exist${region ? ` in ${region}` : ''}: create it (SecureString), or fix the name`,
      };
    }
    const problem = explainAwsError(reading.error, {
      action: 'ssm:GetParameters (and kms:Decrypt on its key)',
      endpointSetting: 'AWS_ENDPOINT_URL_SSM',
      notFound: [],
    });
    return { status: 'fail', text: `${subject}: cannot be read: ${problem.words}` };
  });
}
