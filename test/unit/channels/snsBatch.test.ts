import type {
  BatchResultErrorEntry,
  PublishBatchCommand,
  PublishBatchCommandOutput,
  PublishBatchRequestEntry,
} from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { type AlertsResult, alertPayloadBytes, type OutgoingAlert } from '../../../lib/alerts/sink';
import { SnsBatchPublisher, type SnsPublishBatchClient } from '../../../lib/channels/snsBatch';
import { throwIfFailed } from '../../../lib/channels/snsMessage';
import { AlertDeliveryError } from '../../../lib/errors';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:certwatch-alerts';

type Responder = (entries: PublishBatchRequestEntry[], call: number) => Partial<PublishBatchCommandOutput>;

/** Records every PublishBatch call; answers with `respond` (default: every entry succeeds) or its exception. */
class FakeSnsBatch implements SnsPublishBatchClient {
  readonly calls: { topicArn: string | undefined; entries: PublishBatchRequestEntry[] }[] = [];
  constructor(private readonly respond: Responder = succeedAll) {}
  async send(command: PublishBatchCommand): Promise<PublishBatchCommandOutput> {
    const entries = command.input.PublishBatchRequestEntries ?? [];
    this.calls.push({ topicArn: command.input.TopicArn, entries });
    const output = this.respond(entries, this.calls.length);
    return { $metadata: { httpStatusCode: 200 }, Successful: [], Failed: [], ...output };
  }
  /** Which messages (by body) each call carried. */
  bodies(): string[][] {
    return this.calls.map((call) => call.entries.map((entry) => entry.Message ?? ''));
  }
}

function succeedAll(entries: PublishBatchRequestEntry[]): Partial<PublishBatchCommandOutput> {
  return { Successful: entries.map((entry) => ({ Id: entry.Id, MessageId: `msg-${entry.Id}` })) };
}

/** Succeeds every entry except those whose body is listed, which fail with `error`. */
function failBodies(bodies: string[], error: Omit<BatchResultErrorEntry, 'Id'>) {
  return (entries: PublishBatchRequestEntry[]): Partial<PublishBatchCommandOutput> => ({
    Successful: succeedAll(entries.filter((entry) => !bodies.includes(entry.Message ?? ''))).Successful ?? [],
    Failed: entries
      .filter((entry) => bodies.includes(entry.Message ?? ''))
      .map((entry) => ({ Id: entry.Id, ...error })),
  });
}

function messages(count: number, size = 10): OutgoingAlert[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `ucloud/ulb/cn-bj2/org-x/ssl-${i}#d7`,
    message: `m${i}:`.padEnd(size, '.'),
    attributes: { severity: { DataType: 'String', StringValue: 'critical' } },
  }));
}

function publisher(
  client: SnsPublishBatchClient,
  options: { attempts?: number; maxBatchBytes?: number } = {},
) {
  const sleeps: number[] = [];
  const instance = new SnsBatchPublisher(client, TOPIC, {
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...options,
  });
  return { publisher: instance, sleeps };
}

const throttled = () =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottledException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });

describe('SnsBatchPublisher batching', () => {
  it('sends at most 10 entries per call to the topic, in order', async () => {
    const client = new FakeSnsBatch();
    const all = messages(25);
    const result = await publisher(client).publisher.publishAll(all);

    expect(result).toEqual({ sent: 25, failed: [] });
    expect(client.calls.map((call) => call.entries.length)).toEqual([10, 10, 5]);
    expect(client.calls.every((call) => call.topicArn === TOPIC)).toBe(true);
    expect(client.bodies().flat()).toEqual(all.map((m) => m.message));
    expect(client.calls[0]?.entries[0]?.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'critical' },
    });
  });

  it('maps ids to valid batch entry Ids, unique within each call', async () => {
    const client = new FakeSnsBatch();
    const all = messages(12).map((m) => ({ ...m, id: 'same id / with spaces and ü' }));
    await publisher(client).publisher.publishAll(all);
    for (const call of client.calls) {
      const ids = call.entries.map((entry) => entry.Id ?? '');
      for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('splits batches by size as well as by count', async () => {
    const client = new FakeSnsBatch();
    const all = messages(7, 300);
    const oneEntry = alertPayloadBytes(all[0]!.message, all[0]!.attributes);
    const { publisher: small } = publisher(client, { maxBatchBytes: oneEntry * 3 });
    expect(await small.publishAll(all)).toEqual({ sent: 7, failed: [] });
    expect(client.calls.map((call) => call.entries.length)).toEqual([3, 3, 1]);
  });

  it('reports a message too large for SNS without sending it, and sends the rest', async () => {
    const client = new FakeSnsBatch();
    const all = [...messages(2), { id: 'huge', message: 'x'.repeat(2_000), attributes: {} }];
    const { publisher: small } = publisher(client, { maxBatchBytes: 1_000 });
    const result = await small.publishAll(all);
    expect(result.sent).toBe(2);
    expect(result.failed).toEqual([{ id: 'huge', code: 'MessageTooLong', message: expect.any(String) }]);
    expect(client.bodies().flat()).not.toContain(all[2]!.message);
  });

  it('makes no call for no messages', async () => {
    const client = new FakeSnsBatch();
    expect(await publisher(client).publisher.publishAll([])).toEqual({ sent: 0, failed: [] });
    expect(client.calls).toEqual([]);
  });
});

describe('SnsBatchPublisher retries', () => {
  it('retries entries SNS failed, then they succeed', async () => {
    const all = messages(12);
    const flaky = [all[3]!.message, all[11]!.message];
    const client = new FakeSnsBatch((entries, call) =>
      call <= 2
        ? failBodies(flaky, { Code: 'InternalError', SenderFault: false })(entries)
        : succeedAll(entries),
    );
    const { publisher: batch, sleeps } = publisher(client);

    expect(await batch.publishAll(all)).toEqual({ sent: 12, failed: [] });
    // Round 1: 10 + 2; round 2: only the two failed entries, together in one call.
    expect(client.bodies()).toEqual([
      all.slice(0, 10).map((m) => m.message),
      all.slice(10).map((m) => m.message),
      flaky,
    ]);
    expect(sleeps).toEqual([100]);
  });

  it('gives up after `attempts` tries, backing off with jitter', async () => {
    const all = messages(3);
    const client = new FakeSnsBatch(
      failBodies([all[1]!.message], { Code: 'InternalError', Message: 'try later', SenderFault: false }),
    );
    const { publisher: batch, sleeps } = publisher(client, { attempts: 4 });

    const result = await batch.publishAll(all);
    expect(result).toEqual({
      sent: 2,
      failed: [{ id: all[1]!.id, code: 'InternalError', message: 'try later' }],
    });
    expect(client.calls).toHaveLength(4);
    // random() = 0.5 of 200, 400, 800 ms.
    expect(sleeps).toEqual([100, 200, 400]);
  });

  it('does not retry an entry failed with SenderFault', async () => {
    const all = messages(3);
    const client = new FakeSnsBatch(
      failBodies([all[0]!.message], {
        Code: 'InvalidParameter',
        Message: 'bad attribute',
        SenderFault: true,
      }),
    );
    const result = await publisher(client).publisher.publishAll(all);
    expect(result).toEqual({
      sent: 2,
      failed: [{ id: all[0]!.id, code: 'InvalidParameter', message: 'bad attribute' }],
    });
    expect(client.calls).toHaveLength(1);
  });

  it('retries the entries of a call that threw (throttling), and the other calls still go out', async () => {
    const all = messages(15);
    const client = new FakeSnsBatch((entries, call) => {
      if (call === 1) throw throttled();
      return succeedAll(entries);
    });
    const result = await publisher(client).publisher.publishAll(all);
    expect(result).toEqual({ sent: 15, failed: [] });
    expect(client.calls.map((call) => call.entries.length)).toEqual([10, 5, 10]);
  });

  it('retries a network error (no HTTP answer) and reports it when it persists', async () => {
    const client = new FakeSnsBatch(() => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
        name: 'Error',
        code: 'ECONNREFUSED',
      });
    });
    const all = messages(2);
    const result = await publisher(client).publisher.publishAll(all);
    expect(client.calls).toHaveLength(3);
    expect(result.sent).toBe(0);
    expect(result.failed).toEqual(
      all.map((m) => ({ id: m.id, code: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:1' })),
    );
  });

  it('does not retry a call refused for good (authorization), but still tries every batch', async () => {
    const client = new FakeSnsBatch(() => {
      throw Object.assign(new Error('User is not authorized to perform: SNS:Publish'), {
        name: 'AuthorizationErrorException',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      });
    });
    const result = await publisher(client).publisher.publishAll(messages(12));
    expect(client.calls).toHaveLength(2);
    expect(result.sent).toBe(0);
    expect(result.failed).toHaveLength(12);
    expect(result.failed[0]?.code).toBe('AuthorizationErrorException');
  });

  it('treats an entry SNS reported neither way as failed, and retries it', async () => {
    const all = messages(2);
    const client = new FakeSnsBatch((entries, call) =>
      call === 1 ? { Successful: succeedAll(entries.slice(0, 1)).Successful ?? [] } : succeedAll(entries),
    );
    expect(await publisher(client).publisher.publishAll(all)).toEqual({ sent: 2, failed: [] });
    expect(client.bodies()).toEqual([all.map((m) => m.message), [all[1]!.message]]);
  });

  it('lists failures in the order the messages were given, not the order they became final', async () => {
    const all = messages(4);
    const client = new FakeSnsBatch((entries) => ({
      Successful: succeedAll(
        entries.filter((e) => e.Message === all[1]!.message || e.Message === all[3]!.message),
      ).Successful,
      Failed: entries.flatMap((entry): BatchResultErrorEntry[] => {
        if (entry.Message === all[0]!.message)
          return [{ Id: entry.Id, Code: 'InternalError', SenderFault: false }];
        if (entry.Message === all[2]!.message)
          return [{ Id: entry.Id, Code: 'InvalidParameter', SenderFault: true }];
        return [];
      }),
    }));
    // Message 2 fails for good in round 1; message 0 only after round 2.
    const result = await publisher(client, { attempts: 2 }).publisher.publishAll(all);
    expect(result.sent).toBe(2);
    expect(result.failed.map((f) => [f.id, f.code])).toEqual([
      [all[0]!.id, 'InternalError'],
      [all[2]!.id, 'InvalidParameter'],
    ]);
  });

  it('rejects an attempts count below 1', () => {
    expect(() => new SnsBatchPublisher(new FakeSnsBatch(), TOPIC, { attempts: 0 })).toThrow(RangeError);
  });
});

describe('throwIfFailed', () => {
  it('does nothing when everything was sent', () => {
    expect(() => throwIfFailed({ sent: 3, failed: [] }, TOPIC)).not.toThrow();
  });

  it('names the topic, the count, the first codes, and what to check', () => {
    const result: AlertsResult = {
      sent: 7,
      failed: [
        { id: 'a', code: 'AuthorizationError', message: 'not authorized' },
        { id: 'b', code: 'AuthorizationError', message: 'not authorized' },
        { id: 'c', code: 'Throttled', message: 'Rate exceeded' },
      ],
    };
    let error: unknown;
    try {
      throwIfFailed(result, TOPIC);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AlertDeliveryError);
    const { message, name } = error as AlertDeliveryError;
    expect(name).toBe('AlertDeliveryError');
    expect(message).toContain(TOPIC);
    expect(message).toContain('3 of 10 alert messages failed');
    expect(message).toContain('AuthorizationError, Throttled');
    expect(message).toContain('first: a: AuthorizationError "not authorized"');
    expect(message).toContain('sns:Publish');
    expect(message).toContain('PublishBatch');
    expect(message).toContain('(eu-west-1)');
  });
});
