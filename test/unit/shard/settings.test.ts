import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors';
import { loadShardSettings } from '../../../lib/shard/settings';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/certwatch-shards';

describe('loadShardSettings', () => {
  it('reads the table, the queue, the regions per shard and the deadline, with defaults', () => {
    expect(
      loadShardSettings(
        { CERTWATCH_RUN_TABLE: 'runs', CERTWATCH_SHARD_QUEUE_URL: QUEUE },
        { needsQueue: true },
      ),
    ).toEqual({
      runTable: 'runs',
      queueUrl: QUEUE,
      regionsPerShard: 4,
      deadlineMs: 240 * 60_000,
    });
    expect(
      loadShardSettings(
        { CERTWATCH_RUN_TABLE: 'runs', CERTWATCH_SHARD_REGIONS: '2', CERTWATCH_SHARD_DEADLINE_MINUTES: '90' },
        { needsQueue: false },
      ),
    ).toMatchObject({ queueUrl: null, regionsPerShard: 2, deadlineMs: 90 * 60_000 });
  });

  it('reports every problem at once, each naming its key', () => {
    let error: unknown;
    try {
      loadShardSettings(
        {
          CERTWATCH_SHARD_QUEUE_URL: 'certwatch-shards',
          CERTWATCH_SHARD_REGIONS: '0',
          CERTWATCH_SHARD_DEADLINE_MINUTES: 'soon',
        },
        { needsQueue: true },
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(/^CERTWATCH_RUN_TABLE is missing/),
      expect.stringMatching(/^CERTWATCH_SHARD_QUEUE_URL "certwatch-shards" is not an SQS queue URL/),
      expect.stringMatching(/^CERTWATCH_SHARD_REGIONS "0" must be a whole number from 1 to 100/),
      expect.stringMatching(/^CERTWATCH_SHARD_DEADLINE_MINUTES "soon" must be a whole number/),
    ]);
    expect(() => loadShardSettings({ CERTWATCH_RUN_TABLE: 'runs' }, { needsQueue: true })).toThrow(
      /CERTWATCH_SHARD_QUEUE_URL is missing/,
    );
  });
});
