import { getEventListeners, once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertwatchError } from '../../../lib/errors';
import { httpFetch } from '../../../lib/providers/httpFetch';
import { exchange, TransportFailure } from '../../../lib/providers/transport';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/stall') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"half":');
      return;
    }
    response.end('{"ok":true}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('exchange', () => {
  it('reads the whole reply and leaves nothing behind on the scan signal', async () => {
    const scan = new AbortController();
    for (let i = 0; i < 20; i++) {
      const { response, text } = await exchange(httpFetch, `${base}/ok`, {}, 5_000, scan.signal);
      expect(response.status).toBe(200);
      expect(text).toBe('{"ok":true}');
    }
    expect(getEventListeners(scan.signal, 'abort')).toHaveLength(0);
  });

  it('gives up on a reply that stalls mid-body at the timeout, as a timeout', async () => {
    const started = performance.now();
    const failure = await exchange(httpFetch, `${base}/stall`, {}, 150).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TransportFailure);
    expect((failure as TransportFailure).kind).toBe('timeout');
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("ends with the scan's own reason when the scan is stopped, not as a timeout", async () => {
    const scan = new AbortController();
    const pending = exchange(httpFetch, `${base}/stall`, {}, 10_000, scan.signal).catch(
      (error: unknown) => error,
    );
    setTimeout(() => scan.abort(new CertwatchError('time limit ran out')), 50);
    const failure = (await pending) as Error;
    expect(failure).not.toBeInstanceOf(TransportFailure);
    expect(failure.message).toContain('time limit ran out');
    expect(getEventListeners(scan.signal, 'abort')).toHaveLength(0);
  });
});
