/**
 * What moto cannot show: throttled batch reads, chunking, and how foreign errors are reported. A hand-written
 * fake client answers each command; the contract itself runs against moto_server in test/integration.
 */
import {
  type AttributeValue,
  type BatchGetItemCommand,
  ConditionalCheckFailedException,
  DynamoDBClient,
  type PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  CLAIM_CONDITION,
  DynamoStateStore,
  NO_KNOWN_EXPIRY,
  TTL_ATTRIBUTE,
} from '../../../lib/state/dynamodb';
import { StateStoreError } from '../../../lib/state/errors';
import type { UnusableHistory } from '../../../lib/state/store';

type Answer = (command: unknown) => unknown;

/**
 * A DynamoDB client whose HTTP handler records each request (operation and JSON body, attribute values as they go
 * on the wire) and answers with `answer`'s output as a 200, a ConditionalCheckFailedException as DynamoDB's 400,
 * and any other error by failing the request with it.
 */
function fakeClient(answer: Answer) {
  const sent: unknown[] = [];
  const client = new DynamoDBClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: { headers: Record<string, string>; body: string | Uint8Array }) => {
        const operation = request.headers['x-amz-target']?.split('.')[1];
        const body = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body);
        const command = { operation, input: JSON.parse(body) };
        sent.push(command);
        let status = 200;
        let output: unknown;
        try {
          output = await answer(command);
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
          status = 400;
          output = { __type: `com.amazonaws.dynamodb.v20120810#${error.name}`, message: error.message };
        }
        return {
          response: {
            statusCode: status,
            reason: '',
            headers: { 'content-type': 'application/x-amz-json-1.0' },
            body: new TextEncoder().encode(JSON.stringify(output ?? {})),
          },
        };
      },
    },
  });
  return { client, sent };
}

function item(key: string, overrides: Record<string, AttributeValue> = {}): Record<string, AttributeValue> {
  return {
    pk: { S: key },
    rung: { S: 'd30' },
    notAfter: { S: '2026-12-20T00:00:00Z' },
    state: { S: 'sent' },
    at: { S: '2026-11-23T12:00:00.000Z' },
    leaseUntil: { S: '2026-11-23T12:15:00.000Z' },
    [TTL_ATTRIBUTE]: { N: '1' },
    ...overrides,
  };
}

function keysOf(command: unknown): string[] {
  const input = (command as BatchGetItemCommand).input;
  return (input.RequestItems?.alerts?.Keys ?? []).map((key) => key.pk?.S ?? '');
}

const CLAIM = {
  certificateKey: 'k',
  rung: 'd30',
  notAfterMs: Date.parse('2026-12-20T00:00:00Z'),
  nowMs: Date.parse('2026-11-23T12:00:00Z'),
  leaseMs: 900_000,
};

describe('DynamoStateStore.load', () => {
  it('reads in chunks of 100 distinct keys, consistently', async () => {
    const { client, sent } = fakeClient((command) => ({
      Responses: { alerts: keysOf(command).map((key) => item(key)) },
    }));
    const store = new DynamoStateStore({ client, tableName: 'alerts' });
    const keys = Array.from({ length: 250 }, (_, i) => `k${i}`);
    const loaded = await store.load([...keys, 'k0', 'k1']);
    expect(loaded.size).toBe(250);
    expect(sent.map((command) => keysOf(command).length)).toEqual([100, 100, 50]);
    expect((sent[0] as BatchGetItemCommand).input.RequestItems?.alerts?.ConsistentRead).toBe(true);
    expect(loaded.get('k7')).toEqual({
      certificateKey: 'k7',
      rung: 'd30',
      notAfterMs: Date.parse('2026-12-20T00:00:00Z'),
      state: 'sent',
      atMs: Date.parse('2026-11-23T12:00:00.000Z'),
      leaseUntilMs: Date.parse('2026-11-23T12:15:00.000Z'),
    });
  });

  it('asks again for keys DynamoDB left unprocessed, waiting longer each time', async () => {
    let calls = 0;
    const { client, sent } = fakeClient((command) => {
      const [first, ...rest] = keysOf(command);
      calls++;
      // Each call processes one key and leaves the rest.
      return {
        Responses: { alerts: first ? [item(first)] : [] },
        UnprocessedKeys: rest.length ? { alerts: { Keys: rest.map((key) => ({ pk: { S: key } })) } } : {},
      };
    });
    const waits: number[] = [];
    const store = new DynamoStateStore({
      client,
      tableName: 'alerts',
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const loaded = await store.load(['a', 'b', 'c']);
    expect([...loaded.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect(calls).toBe(3);
    expect(sent.map(keysOf)).toEqual([['a', 'b', 'c'], ['b', 'c'], ['c']]);
    expect(waits).toEqual([50, 100]);
  });

  it('gives up after maxBatchAttempts, saying the table is throttled', async () => {
    const { client, sent } = fakeClient((command) => ({
      Responses: {},
      UnprocessedKeys: { alerts: { Keys: keysOf(command).map((key) => ({ pk: { S: key } })) } },
    }));
    const store = new DynamoStateStore({
      client,
      tableName: 'alerts',
      maxBatchAttempts: 3,
      sleep: async () => {},
    });
    const error = await store.load(['a', 'b']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StateStoreError);
    expect((error as Error).message).toMatch(
      /table alerts left 2 keys unprocessed after 3 attempts.*throttled/,
    );
    expect(sent).toHaveLength(3);
  });

  it('skips an item that is not alert state, says which and why without its text, and uses the rest', async () => {
    // SECRET marks text that must not be repeated: only keys and attribute names may be.
    const items = [
      item('good'),
      item('legacy-unknown', { rung: { S: 'unknown' }, notAfter: { S: '' } }),
      item('unknown', { rung: { S: 'unknown' }, notAfter: { S: NO_KNOWN_EXPIRY } }),
      item('state', { state: { S: 'SECRET-lost' } }),
      item('number', { notAfter: { N: '1767225600' } }),
      item('at', { at: { S: 'SECRET-yesterday' } }),
      item('owner', { owner: { N: '7' } }),
    ];
    const rungless = item('rungless');
    delete rungless.rung;
    const { client } = fakeClient(() => ({ Responses: { alerts: [...items, rungless] } }));
    const store = new DynamoStateStore({ client, tableName: 'alerts' });
    const unusable: UnusableHistory[] = [];
    const loaded = await store.load(
      ['good', 'legacy-unknown', 'unknown', 'state', 'number', 'at', 'owner', 'rungless'],
      {
        onUnusable: (entry) => unusable.push(entry),
      },
    );
    expect([...loaded.keys()]).toEqual(['good', 'legacy-unknown', 'unknown']);
    expect(loaded.get('legacy-unknown')?.notAfterMs).toBeNull();
    expect(loaded.get('unknown')?.notAfterMs).toBeNull();
    expect(unusable).toEqual([
      { certificateKey: 'state', problem: 'has a state other than "sending", "digested" or "sent"' },
      { certificateKey: 'number', problem: 'has notAfter that is not a string (S)' },
      { certificateKey: 'at', problem: 'has at that is not an ISO 8601 instant' },
      { certificateKey: 'owner', problem: 'has an owner that is not a string' },
      { certificateKey: 'rungless', problem: 'has no rung' },
    ]);
    expect(JSON.stringify(unusable)).not.toContain('SECRET');
  });
});

describe('DynamoStateStore errors', () => {
  it('takes a failed condition as a lost claim', async () => {
    const { client, sent } = fakeClient(() => {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    });
    const store = new DynamoStateStore({ client, tableName: 'alerts' });
    expect(await store.claim(CLAIM)).toBe(false);
    const input = (sent[0] as PutItemCommand).input;
    expect(input.ConditionExpression).toBe(CLAIM_CONDITION);
    expect(input.Item?.[TTL_ATTRIBUTE]).toEqual({
      N: String(Date.parse('2026-11-23T12:00:00Z') / 1000 + 400 * 86_400),
    });
  });

  it('writes no known expiry as the sentinel, in the item and in the condition alike', async () => {
    const { client, sent } = fakeClient(() => ({}));
    const store = new DynamoStateStore({ client, tableName: 'alerts' });
    expect(await store.claim({ ...CLAIM, rung: 'unknown', notAfterMs: null })).toBe(true);
    const input = (sent[0] as PutItemCommand).input;
    expect(input.Item?.notAfter).toEqual({ S: NO_KNOWN_EXPIRY });
    expect(input.ExpressionAttributeValues?.[':notAfter']).toEqual({ S: NO_KNOWN_EXPIRY });
  });

  it('wraps any other failure with the table, the region and the permissions to check', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: dynamodb:PutItem'), {
      name: 'AccessDeniedException',
    });
    const { client } = fakeClient(() => {
      throw denied;
    });
    const store = new DynamoStateStore({ client, tableName: 'alerts' });
    const error = await store.claim(CLAIM).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StateStoreError);
    expect((error as Error).cause).toBe(denied);
    expect((error as Error).message).toBe(
      'DynamoDB PutItem on alert state table alerts (claim of d30 for k) failed: AccessDeniedException: User is ' +
        'not authorized to perform: dynamodb:PutItem. Check that the table exists in eu-west-1, and that the ' +
        "function's role allows dynamodb:GetItem, PutItem, UpdateItem, DeleteItem and BatchGetItem on it.",
    );
    await expect(store.forget('k')).rejects.toThrow(/DeleteItem on alert state table alerts \(forget of k\)/);
    await expect(store.load(['k'])).rejects.toThrow(/BatchGetItem on alert state table alerts/);
  });

  it('refuses a ttlDays that is not a positive number', () => {
    const { client } = fakeClient(() => ({}));
    expect(() => new DynamoStateStore({ client, tableName: 'alerts', ttlDays: 0 })).toThrow(StateStoreError);
  });

  it('checks the claim before sending anything', async () => {
    const { client, sent } = fakeClient(() => ({}));
    const store = new DynamoStateStore({ client, tableName: 'alerts' });
    await expect(store.claim({ ...CLAIM, leaseMs: -1 })).rejects.toThrow(/leaseMs -1/);
    expect(sent).toEqual([]);
  });
});
