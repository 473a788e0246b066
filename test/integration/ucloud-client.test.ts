/**
 * The UCloud client over real sockets against the emulator: timeouts, transient failures and what is never
 * retried.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import type { UcloudForcedFailure } from '../../emulator/ucloud/handler';
import { ProviderError } from '../../lib/errors';
import { UcloudClient } from '../../lib/providers/ucloud/client';

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function clientFor(failures: UcloudForcedFailure[], timeoutMs = 300) {
  emulator = await startEmulator({ ucloud: { failures } });
  const delays: number[] = [];
  const client = new UcloudClient({
    publicKey: 'demo-public-key',
    privateKey: 'demo-private-key',
    apiUrl: emulator.ucloudUrl,
    timeoutMs,
    retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
    onRetry: (_error, _attempt, delayMs) => delays.push(delayMs),
  });
  return { client, delays, stats: emulator.stats.ucloud };
}

const describeSsl = (client: UcloudClient) =>
  client.call('DescribeSSLV2', { Region: 'cn-bj2', Limit: 100, Offset: 0 }, 'in cn-bj2 (default project)');

describe('UcloudClient', () => {
  it('times out a reply that never comes, and retries it', async () => {
    const { client, delays, stats } = await clientFor([{ hang: true, times: 1 }]);
    const reply = await describeSsl(client);
    expect(reply.RetCode).toBe(0);
    expect(stats.hung).toBe(1);
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeLessThanOrEqual(10);
  });

  it('gives up after its attempts with a message that says what happened', async () => {
    const { client, stats } = await clientFor([{ hang: true }], 100);
    const error = (await describeSsl(client).catch((e: unknown) => e)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.code).toBe('timeout');
    expect(error.message).toBe(
      'UCloud DescribeSSLV2 in cn-bj2 (default project): no complete reply within 100 ms — check UCLOUD_API_URL ' +
        'and the network (gave up after 3 attempts)',
    );
    expect(stats.hung).toBe(3);
  });

  it('retries HTTP 503 and RetCode 150, then succeeds', async () => {
    const { client, delays } = await clientFor([
      { httpStatus: 503, times: 1 },
      { retCode: 150, times: 1 },
    ]);
    expect((await describeSsl(client)).RetCode).toBe(0);
    expect(delays).toHaveLength(2);
  });

  it('never retries a permission error', async () => {
    const { client, stats } = await clientFor([{ retCode: 299, message: 'Permission denied' }]);
    const error = (await describeSsl(client).catch((e: unknown) => e)) as ProviderError;
    expect(error.message).toMatch(/RetCode 299 "Permission denied" — the key lacks permission/);
    expect(error.retryable).toBe(false);
    expect(stats.requests).toBe(1);
  });

  it('names an endpoint it cannot reach', async () => {
    const closed = await startEmulator();
    const apiUrl = closed.ucloudUrl;
    await closed.close();
    const client = new UcloudClient({
      publicKey: 'p',
      privateKey: 'k',
      apiUrl,
      timeoutMs: 500,
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    await expect(describeSsl(client)).rejects.toThrow(
      `could not reach ${apiUrl} (ECONNREFUSED) — check UCLOUD_API_URL and the network`,
    );
  });
});
