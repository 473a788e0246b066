/**
 * DynamoStateStore against moto_server over a real socket: the AlertStateStore contract on a fresh table per test,
 * plus what only a real table shows (the item's layout and TTL, a missing table).
 *
 * moto 5.2.1 serves requests on threads and checks a condition and writes the item without a lock, so two of 20
 * concurrent claims sometimes both win there (2 races in 100 when tried). DynamoDB applies writes to one item one
 * at a time; the client here gets a single socket so moto does too, and the race test still shows that the
 * condition admits exactly one of 20 claims sent at once.
 */
import {
  type AttributeValue,
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTableInput,
  DynamoStateStore,
  NO_KNOWN_EXPIRY,
  TTL_ATTRIBUTE,
  timeToLiveInput,
} from '../../lib/state/dynamodb';
import { StateStoreError } from '../../lib/state/errors';
import type { UnusableHistory } from '../../lib/state/store';
import { type MotoServer, motoDynamoClient, startMoto } from '../helpers/moto';
import { describeAlertStateStore } from '../unit/state/contract';

let moto: MotoServer | undefined;
let client: DynamoDBClient;
let tables = 0;

beforeAll(async () => {
  moto = await startMoto();
  client = motoDynamoClient(moto.endpoint);
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

describeAlertStateStore(
  'DynamoStateStore on moto_server',
  async () => new DynamoStateStore({ client, tableName: await freshTable() }),
  { reopen: (store) => new DynamoStateStore({ client, tableName: store.tableName }) },
);

describe('DynamoStateStore tables', () => {
  it('keeps one item per certificate, with expiresAt as the TTL attribute ttlDays after the last write', async () => {
    const tableName = await freshTable();
    const store = new DynamoStateStore({ client, tableName, ttlDays: 30 });
    const key = 'ucloud/ulb/cn-bj2/org-a/ssl-web';
    await store.claim({
      certificateKey: key,
      rung: 'd14',
      notAfterMs: Date.parse('2026-12-07T00:00:00Z'),
      nowMs: Date.parse('2026-11-23T12:00:00Z'),
      leaseMs: 60_000,
    });
    await store.confirm(key, 'd14', Date.parse('2026-11-23T12:00:30Z'));

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

  it('skips each item that is not alert state, and lets one claim replace it, atomically', async () => {
    const tableName = await freshTable();
    const store = new DynamoStateStore({ client, tableName });
    const claim = {
      rung: 'd30',
      notAfterMs: Date.parse('2026-12-20T00:00:00Z'),
      nowMs: Date.parse('2026-11-23T12:00:00Z'),
      leaseMs: 60_000,
    };
    // The same rung and notAfter a claim carries, delivered: a usable item like this would refuse the claim.
    const base: Record<string, AttributeValue> = {
      rung: { S: claim.rung },
      notAfter: { S: '2026-12-20T00:00:00Z' },
      state: { S: 'sent' },
      at: { S: '2026-11-23T11:00:00.000Z' },
      leaseUntil: { S: '2026-11-23T11:01:00.000Z' },
    };
    const bad: Record<string, Record<string, AttributeValue>> = {
      'k/state': { ...base, state: { S: 'lost' } },
      'k/not-after-missing': { ...base, notAfter: undefined as unknown as AttributeValue },
      'k/not-after-number': { ...base, notAfter: { N: '1767225600' } },
      'k/at': { ...base, at: { S: 'yesterday' } },
      'k/lease': { ...base, leaseUntil: { N: '1' } },
      'k/owner': { ...base, owner: { N: '7' } },
      'k/rung': { ...base, rung: { L: [] } },
    };
    const good = { ...base };
    for (const [key, attributes] of [...Object.entries(bad), ['k/good', good] as const]) {
      const Item = Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== undefined));
      await client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: key }, ...Item } }));
    }
    const keys = [...Object.keys(bad), 'k/good'];
    const unusable: UnusableHistory[] = [];
    const loaded = await store.load(keys, { onUnusable: (entry) => unusable.push(entry) });
    expect([...loaded.keys()]).toEqual(['k/good']);
    expect(unusable.map((entry) => entry.certificateKey).sort()).toEqual(Object.keys(bad).sort());

    // The usable item refuses the claim; each skipped one gives way to exactly one of several claims at once.
    expect(await store.claim({ ...claim, certificateKey: 'k/good' })).toBe(false);
    for (const key of Object.keys(bad)) {
      const results = await Promise.all(
        Array.from({ length: 5 }, () => store.claim({ ...claim, certificateKey: key })),
      );
      expect({ key, won: results.filter(Boolean).length }).toEqual({ key, won: 1 });
    }
    const after: UnusableHistory[] = [];
    const reloaded = await store.load(keys, { onUnusable: (entry) => after.push(entry) });
    expect(after).toEqual([]);
    for (const key of Object.keys(bad)) {
      expect(reloaded.get(key)).toMatchObject({
        rung: 'd30',
        notAfterMs: claim.notAfterMs,
        state: 'sending',
      });
    }
  });

  it('stores no known expiry as S "none", and reads the S "" older versions wrote as no known expiry too', async () => {
    const tableName = await freshTable();
    const store = new DynamoStateStore({ client, tableName });
    const claim = {
      rung: 'unknown',
      notAfterMs: null,
      nowMs: Date.parse('2026-11-23T12:00:00Z'),
      leaseMs: 60_000,
    };
    expect(await store.claim({ ...claim, certificateKey: 'k/new' })).toBe(true);
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'k/new' } }, ConsistentRead: true }),
    );
    expect(Item?.notAfter).toEqual({ S: NO_KNOWN_EXPIRY });

    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: 'k/legacy' },
          rung: { S: 'unknown' },
          notAfter: { S: '' },
          state: { S: 'sent' },
          at: { S: '2026-11-22T12:00:00.000Z' },
          leaseUntil: { S: '2026-11-22T12:15:00.000Z' },
        },
      }),
    );
    const loaded = await store.load(['k/new', 'k/legacy']);
    expect(loaded.get('k/legacy')).toEqual({
      certificateKey: 'k/legacy',
      rung: 'unknown',
      notAfterMs: null,
      state: 'sent',
      atMs: Date.parse('2026-11-22T12:00:00.000Z'),
      leaseUntilMs: Date.parse('2026-11-22T12:15:00.000Z'),
    });
    expect(loaded.get('k/new')?.notAfterMs).toBeNull();
    // Its expiry became known: a claim of its rung wins over the legacy item.
    expect(
      await store.claim({
        ...claim,
        certificateKey: 'k/legacy',
        rung: 'd14',
        notAfterMs: Date.parse('2026-12-01T00:00:00Z'),
      }),
    ).toBe(true);
  });

  it('reports a missing table as a StateStoreError naming it and what to check', async () => {
    const store = new DynamoStateStore({ client, tableName: 'certwatch-no-such-table' });
    const claim = {
      certificateKey: 'k',
      rung: 'd30',
      notAfterMs: Date.parse('2026-12-20T00:00:00Z'),
      nowMs: Date.parse('2026-11-23T12:00:00Z'),
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
