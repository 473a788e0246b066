import { getEventListeners, once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertwatchError } from '../../../lib/errors';
import { httpFetch } from '../../../lib/http/httpFetch';
import { exchange, ReplyTooLarge, TransportFailure } from '../../../lib/http/transport';
import { PROVIDER_REPLY_MAX_BYTES } from '../../../lib/providers/transport';
import { type FloodServer, startFloodServer } from '../../helpers/floodServer';

let server: Server;
let base: string;
const limits = { timeoutMs: 5_000, maxBodyBytes: PROVIDER_REPLY_MAX_BYTES };
/** Bodies of an exact size, in chunks, without a Content-Length: `/bytes/<n>`. */
const BYTES = /^\/bytes\/(\d+)$/;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/stall') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"half":');
      return;
    }
    const sized = BYTES.exec(request.url ?? '');
    if (sized) {
      response.writeHead(200, { 'transfer-encoding': 'chunked' });
      let left = Number(sized[1]);
      while (left > 0) {
        const size = Math.min(left, 1000);
        response.write('y'.repeat(size));
        left -= size;
      }
      response.end();
      return;
    }
    if (request.url === '/bom') return void response.end('\uFEFF{"ok":true}');
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
      const { response, text } = await exchange(
        httpFetch,
        `${base}/ok`,
        {},
        { ...limits, signal: scan.signal },
      );
      expect(response.status).toBe(200);
      expect(text).toBe('{"ok":true}');
    }
    expect(getEventListeners(scan.signal, 'abort')).toHaveLength(0);
  });

  it('gives up on a reply that stalls mid-body at the timeout, as a timeout', async () => {
    const started = performance.now();
    const failure = await exchange(httpFetch, `${base}/stall`, {}, { ...limits, timeoutMs: 150 }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(TransportFailure);
    expect((failure as TransportFailure).kind).toBe('timeout');
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("ends with the scan's own reason when the scan is stopped, not as a timeout", async () => {
    const scan = new AbortController();
    const pending = exchange(
      httpFetch,
      `${base}/stall`,
      {},
      { ...limits, timeoutMs: 10_000, signal: scan.signal },
    ).catch((error: unknown) => error);
    setTimeout(() => scan.abort(new CertwatchError('time limit ran out')), 50);
    const failure = (await pending) as Error;
    expect(failure).not.toBeInstanceOf(TransportFailure);
    expect(failure.message).toContain('time limit ran out');
    expect(getEventListeners(scan.signal, 'abort')).toHaveLength(0);
  });
});

describe('exchange: the reply size limit', () => {
  const MiB = 1024 * 1024;
  const floods: FloodServer[] = [];
  afterAll(async () => {
    await Promise.all(floods.map((flood) => flood.close()));
  });
  async function flood(options: Parameters<typeof startFloodServer>[0]) {
    const server = await startFloodServer(options);
    floods.push(server);
    return server;
  }

  it('reads a body of exactly the limit, in chunks, and decodes it as Response.text() would', async () => {
    const exact = await exchange(httpFetch, `${base}/bytes/4000`, {}, { ...limits, maxBodyBytes: 4000 });
    expect(exact.text).toBe('y'.repeat(4000));
    const bom = await exchange(httpFetch, `${base}/bom`, {}, limits);
    expect(bom.text).toBe('{"ok":true}');
  });

  it('refuses one byte more, as ReplyTooLarge', async () => {
    const failure = await exchange(
      httpFetch,
      `${base}/bytes/4001`,
      {},
      { ...limits, maxBodyBytes: 4000 },
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ReplyTooLarge);
    expect(failure).toMatchObject({ kind: 'too-large', status: 200, limitBytes: 4000, declaredBytes: null });
  });

  it('cuts off a reply that streams forever at the limit and closes the connection', async () => {
    const server = await flood({ mode: 'stream' });
    const scan = new AbortController();
    const failure = (await exchange(
      httpFetch,
      `${server.origin}/flood`,
      {},
      { timeoutMs: 10_000, maxBodyBytes: MiB, signal: scan.signal },
    ).catch((error: unknown) => error)) as ReplyTooLarge;
    expect(failure).toBeInstanceOf(ReplyTooLarge);
    expect(failure.message).toBe(
      'an HTTP 200 reply that went past 1 MiB, the most certwatch reads, and was cut off there',
    );
    await server.settled();
    // The server wrote what the client read (1 MiB) and what the sockets buffer, then saw the connection close.
    expect(server.replies[0]).toMatchObject({ closedEarly: true });
    expect(server.replies[0]!.bytesSent).toBeLessThan(16 * MiB);
    expect(getEventListeners(scan.signal, 'abort')).toHaveLength(0);
  });

  it('refuses a Content-Length over the limit on the headers, before reading the body', async () => {
    // The body waits 2 s: a client that reads past the headers would get some of it.
    const server = await flood({ mode: 'declare', declaredBytes: 5 * 1024 ** 3, bodyDelayMs: 2_000 });
    const failure = (await exchange(httpFetch, `${server.origin}/declared`, {}, limits).catch(
      (error: unknown) => error,
    )) as ReplyTooLarge;
    expect(failure).toBeInstanceOf(ReplyTooLarge);
    expect(failure.declaredBytes).toBe(5 * 1024 ** 3);
    expect(failure.message).toBe(
      'an HTTP 200 reply that declares 5368709120 bytes (Content-Length), more than the 16 MiB certwatch reads, ' +
        'and was not read',
    );
    await server.settled();
    // Closed before the server began the body.
    expect(server.replies[0]).toEqual({ path: '/declared', bytesSent: 0, closedEarly: true });
  });

  it('holds for any fetch: the built-in one too', async () => {
    const server = await flood({ mode: 'stream' });
    const failure = await exchange(
      globalThis.fetch,
      `${server.origin}/any`,
      {},
      {
        timeoutMs: 10_000,
        maxBodyBytes: MiB,
      },
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ReplyTooLarge);
    await server.settled();
    expect(server.replies[0]!.closedEarly).toBe(true);
    expect(server.replies[0]!.bytesSent).toBeLessThan(16 * MiB);
  });
});
