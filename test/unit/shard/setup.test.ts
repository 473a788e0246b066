/**
 * The sharded functions' clients take the injected AWS client configuration (region, endpoint, credentials), as
 * lib/setup.ts's do: a local server on port 0 stands in for DynamoDB and SQS and records who signed what.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClientConfig } from '../../../lib/setup';
import { preparePlanSetup } from '../../../lib/shard/planSetup';
import { prepareShardSetup } from '../../../lib/shard/setup';
import { auditEnv } from '../../helpers/fleet';

interface Seen {
  target: string;
  authorization: string;
}

const seen: Seen[] = [];
let server: Server;
let aws: AwsClientConfig;

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      seen.push({
        target: String(request.headers['x-amz-target'] ?? ''),
        authorization: String(request.headers.authorization ?? ''),
      });
      // GetItem finds nothing; SendMessageBatch fails no entry.
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  aws = {
    region: 'eu-north-9',
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: 'AKIDSHARDTEST', secretAccessKey: 'not-a-secret' },
  };
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** The credential scope every request was signed with: access key, region and service. */
function scopes(from: number): string[] {
  return seen.slice(from).map(({ target, authorization }) => {
    const [, key, region, service] = /Credential=([^/]+)\/\d+\/([^/]+)\/([^/]+)\//.exec(authorization) ?? [];
    return `${target.split('.')[0]} ${key} ${region} ${service}`;
  });
}

describe('sharded setup', () => {
  it("builds the planner's run store and queue with the injected AWS client configuration", async () => {
    const from = seen.length;
    const setup = await preparePlanSetup(
      {
        CERTWATCH_RUN_TABLE: 'runs',
        CERTWATCH_SHARD_QUEUE_URL: 'https://sqs.eu-north-9.amazonaws.com/123456789012/shards',
        CERTWATCH_SHARD_PROVIDERS: 'ucloud',
        UCLOUD_REGIONS: 'cn-bj2',
      },
      { awsClientConfig: aws },
    );
    expect(await setup.runs.getRun('r1')).toBeNull();
    await setup.queue.send([{ id: 'm1', body: '{}' }]);
    expect(scopes(from)).toEqual([
      'DynamoDB_20120810 AKIDSHARDTEST eu-north-9 dynamodb',
      'AmazonSQS AKIDSHARDTEST eu-north-9 sqs',
    ]);
  });

  it("builds the worker's and the finisher's run store with it", async () => {
    const from = seen.length;
    const setup = await prepareShardSetup(
      { ...auditEnv('http://127.0.0.1:1'), CERTWATCH_RUN_TABLE: 'runs' },
      { awsClientConfig: aws },
    );
    expect(await setup.runs.getRun('r1')).toBeNull();
    expect(scopes(from)).toEqual(['DynamoDB_20120810 AKIDSHARDTEST eu-north-9 dynamodb']);
  });
});
