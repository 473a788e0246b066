/**
 * DynamoStateStore against moto_server over a real socket: the AlertStateStore contract on a fresh table per test,
 * plus what only a real table shows (the item's layout and TTL, a missing table).
 *
 * moto 5.2.1 serves requests on threads and checks a condition and writes the item without a lock, so two of 20
 * concurrent claims sometimes both win there (2 races in 100 when tried). DynamoDB applies writes to one item one
 * at a time; the client here gets a single socket so moto does too, and the race test still shows that the
 * condition admits exactly one of 20 claims sent at once.
 */
import { Agent } from 'node:http';
import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableInput, DynamoStateStore, TTL_ATTRIBUTE, timeToLiveInput } from '../../lib/state/dynamodb';
import { StateStoreError } from '../../lib/state/errors';
import { type MotoServer, motoClientConfig, startMoto } from '../helpers/moto';
import { describeAlertStateStore } from '../unit/state/contract';

let moto: MotoServer | undefined;
let client: DynamoDBClient;
let tables = 0;

beforeAll(async () => {
  moto = await startMoto();
  client = new DynamoDBClient({
    ...motoClientConfig(moto.endpoint),
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 1 }) },
  });
});

afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

/** A new, empty table with TTL on, as a deployment would have it. */
async function freshTable(): Promise<string> {
  const tableName = `certwatch-alerts-${++tables}`;
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  await client.send(new UpdateTimeToLiveCommand(timeToLiveInput(tableName)));
  return tableName;
}

describeAlertStateStore('DynamoStateStore on moto_server', async () => {
  return new DynamoStateStore({ client, tableName: await freshTable() });
});

describe('DynamoStateStore tables', () => {
  it('keeps one item per certificate, with expiresAt as the TTL attribute ttlDays after the last write', async () => {
    const tableName = await freshTable();
    const store = new DynamoStateStore({ client, tableName, ttlDays: 30 });
    const key = 'ucloud/ulb/cn-bj2/org-a/ssl-web';
    await store.claim({
      certificateKey: key,
      rung: 'd14',
      notAfter: '2026-12-07T00:00:00Z',
      now: '2026-11-23T12:00:00Z',
      leaseMs: 60_000,
    });
    await store.confirm(key, 'd14', '2026-11-23T12:00:30Z');

    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: key } }, ConsistentRead: true }),
    );
    expect(Item).toEqual({
      pk: { S: key },
      rung: { S: 'd14' },
      notAfter: { S: '2026-12-07T00:00:00Z' },
      state: { S: 'sent' },
      at: { S: '2026-11-23T12:00:30.000Z' },
      leaseUntil: { S: '2026-11-23T12:01:00.000Z' },
      expiresAt: { N: String(Date.parse('2026-11-23T12:00:30Z') / 1000 + 30 * 86_400) },
    });
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      AttributeName: TTL_ATTRIBUTE,
      TimeToLiveStatus: 'ENABLED',
    });
  });

  it('reports a missing table as a StateStoreError naming it and what to check', async () => {
    const store = new DynamoStateStore({ client, tableName: 'certwatch-no-such-table' });
    const claim = {
      certificateKey: 'k',
      rung: 'd30',
      notAfter: '2026-12-20T00:00:00Z',
      now: '2026-11-23T12:00:00Z',
      leaseMs: 60_000,
    };
    for (const attempt of [() => store.claim(claim), () => store.load(['k']), () => store.forget('k')]) {
      const error = await attempt().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StateStoreError);
      expect((error as Error).message).toMatch(
        /alert state table certwatch-no-such-table .* failed: ResourceNotFoundException/,
      );
      expect((error as Error).message).toContain('Check that the table exists in us-east-1');
      expect((error as Error).message).toContain(
        'dynamodb:GetItem, PutItem, UpdateItem, DeleteItem and BatchGetItem',
      );
    }
  });
});
