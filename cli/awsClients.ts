/**
 * AWS SDK client settings from the CLI's environment. The SDK reads these same standard variables from
 * process.env by itself; taking them from `io.env` makes an in-process run with another environment (a test)
 * behave exactly as the command does. Anything not set here is left to the SDK's own chain (profiles, roles).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';

type Env = Readonly<Record<string, string | undefined>>;

/** The services the CLI talks to, as they appear in `AWS_ENDPOINT_URL_<SERVICE>`. */
export type AwsService = 'SNS' | 'SSM' | 'DYNAMODB';

export interface AwsClientSettings {
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  maxAttempts: number;
  requestHandler: { connectionTimeout: number; requestTimeout: number };
}

/** Settings for one service: few attempts and a per-request timeout, so a check answers quickly. */
export function awsClientSettings(
  env: Env,
  service: AwsService,
  options: { timeoutMs: number; maxAttempts: number },
): AwsClientSettings {
  const endpoint = env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL;
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  const sessionToken = env.AWS_SESSION_TOKEN;
  return {
    ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
      : {}),
    maxAttempts: options.maxAttempts,
    requestHandler: { connectionTimeout: options.timeoutMs, requestTimeout: options.timeoutMs },
  };
}

/** The region a client resolved, or null when it has none (its calls will say so). */
export async function resolvedRegion(client: {
  config: { region: () => Promise<string> };
}): Promise<string | null> {
  try {
    return await client.config.region();
  } catch {
    return null;
  }
}

/**
 * The SDK clients a command needs, each built on first use (an unused one costs nothing, and the SDK prints no
 * warnings for it); destroy() closes those that were built.
 */
export class AwsClients {
  #sns: SNSClient | undefined;
  #ssm: SSMClient | undefined;
  #dynamodb: DynamoDBClient | undefined;

  constructor(
    private readonly env: Env,
    private readonly options: { timeoutMs: number; maxAttempts: number },
  ) {}

  sns(): SNSClient {
    this.#sns ??= new SNSClient(awsClientSettings(this.env, 'SNS', this.options));
    return this.#sns;
  }

  ssm(): SSMClient {
    this.#ssm ??= new SSMClient(awsClientSettings(this.env, 'SSM', this.options));
    return this.#ssm;
  }

  dynamodb(): DynamoDBClient {
    this.#dynamodb ??= new DynamoDBClient(awsClientSettings(this.env, 'DYNAMODB', this.options));
    return this.#dynamodb;
  }

  destroy(): void {
    for (const client of [this.#sns, this.#ssm, this.#dynamodb]) client?.destroy();
  }
}
