import { describe, expect, it } from 'vitest';
import { parseShardMessage, shardMessageBody } from '../../../lib/shard/message';
import { runIdFor } from '../../../lib/shard/planner';

const NOW = Date.parse('2026-11-23T12:34:56.789Z');

describe('shard messages', () => {
  it('name a run and a shard, and read back', () => {
    const body = shardMessageBody('20261123T120000Z-abc', 'ucloud-ulb-1');
    expect(JSON.parse(body)).toEqual({
      schema: 'certwatch.shard/1',
      runId: '20261123T120000Z-abc',
      shardId: 'ucloud-ulb-1',
    });
    expect(parseShardMessage(body)).toEqual(JSON.parse(body));
  });

  it('refuse a body that is not one, quoting its start', () => {
    for (const body of [
      'hello',
      '{}',
      '{"schema":"certwatch.shard/1","runId":"x","shardId":"ucloud-ulb-1"}',
    ]) {
      expect(() => parseShardMessage(body)).toThrow(
        /not a certwatch.shard\/1 request: ".*Only the certwatch planner/,
      );
    }
  });
});

describe('runIdFor', () => {
  it('comes from the schedule event, so a retried invocation names the same run', () => {
    const event = { id: '7bdfbb4c-0d5b-4c2a-8f59-2d0f6a1b9e11', time: '2026-11-23T12:00:00Z' };
    const first = runIdFor(event, NOW, () => 'unused');
    expect(first).toBe('20261123T120000Z-7bdfbb4c-0d5b-4c2a-8f59-2d0f6a1b9e11');
    expect(runIdFor(event, NOW + 60_000, () => 'unused')).toBe(first);
  });

  it('takes the clock and a fresh id for a manual invocation', () => {
    expect(runIdFor({}, NOW, () => 'f00d')).toBe('20261123T123456Z-f00d');
    expect(runIdFor({ id: 'not/an id', time: 'yesterday' }, NOW, () => 'f00d')).toBe('20261123T123456Z-f00d');
  });
});
