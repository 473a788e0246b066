import { describe, expect, it } from 'vitest';
import { awsClientSettings } from '../../../cli/awsClients';

const options = { timeoutMs: 1500, maxAttempts: 2 };

describe('awsClientSettings', () => {
  it('takes region, endpoint and credentials from the given environment', () => {
    const env = {
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
      AWS_ENDPOINT_URL_SNS: 'http://127.0.0.1:5001',
      AWS_ACCESS_KEY_ID: 'id',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
    };
    expect(awsClientSettings(env, 'SNS', options)).toEqual({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:5001',
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret', sessionToken: 'token' },
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 1500, requestTimeout: 1500 },
    });
    expect(awsClientSettings(env, 'SSM', options).endpoint).toBe('http://127.0.0.1:5000');
  });

  it("leaves what is not set to the SDK's own chain", () => {
    expect(awsClientSettings({ AWS_ACCESS_KEY_ID: 'id' }, 'DYNAMODB', options)).toEqual({
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 1500, requestTimeout: 1500 },
    });
  });
});
