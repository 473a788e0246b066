import { getEventListeners, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpFetch } from '../../../lib/http/httpFetch';

let server: Server;
let base: string;
let connections = 0;
/** The server's side of each connection, in order. */
const seenSockets: Socket[] = [];
const seen: {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  port: number;
}[] = [];

beforeAll(async () => {
  server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    seen.push({
      method: request.method!,
      url: request.url!,
      headers: request.headers,
      body,
      port: request.socket.remotePort!,
    });
    if (request.url === '/empty') return void response.writeHead(204).end();
    if (request.url === '/stall') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"half":');
      return;
    }
    response.setHeader('set-cookie', ['a=1', 'b=2']);
    response.writeHead(request.url === '/teapot' ? 418 : 200, { 'x-acs-request-id': 'req-1' });
    response.end(JSON.stringify({ echo: body, ünïcode: '✓' }));
  });
  server.on('connection', (socket: Socket) => {
    connections++;
    seenSockets.push(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('httpFetch', () => {
  it('sends method, headers and a string or form body, and reads status, headers and UTF-8 text', async () => {
    const posted = await httpFetch(`${base}/x?q=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'certwatch/test' },
      body: new URLSearchParams({ Action: 'DescribeSSLV2', Limit: '1' }),
    });
    expect(posted.status).toBe(200);
    expect(posted.ok).toBe(true);
    expect(posted.headers.get('x-acs-request-id')).toBe('req-1');
    expect(posted.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(JSON.parse(await posted.text())).toEqual({ echo: 'Action=DescribeSSLV2&Limit=1', ünïcode: '✓' });
    const request = seen.at(-1)!;
    expect(request).toMatchObject({ method: 'POST', url: '/x?q=1', body: 'Action=DescribeSSLV2&Limit=1' });
    expect(request.headers['user-agent']).toBe('certwatch/test');

    const got = await httpFetch(`${base}/teapot`);
    expect(got.status).toBe(418);
    expect(got.ok).toBe(false);
    expect(seen.at(-1)!.method).toBe('GET');
    // As fetch does, a GET with a body is refused before anything is sent.
    await expect(httpFetch(`${base}/teapot`, { body: 'plain' })).rejects.toThrow(TypeError);
  });

  it('keeps the connection alive between calls', async () => {
    await (await httpFetch(`${base}/a`)).text();
    await (await httpFetch(`${base}/b`)).text();
    expect(seen.at(-1)!.port).toBe(seen.at(-2)!.port);
  });

  it('gives an empty body for 204', async () => {
    const response = await httpFetch(`${base}/empty`);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
  });

  it('stops a reply that stalls mid-body when the signal fires, with the signal’s reason', async () => {
    const started = Date.now();
    // As fetch does, the reply resolves with its headers; the body is what stalls.
    const response = await httpFetch(`${base}/stall`, { signal: AbortSignal.timeout(100) });
    expect(response.status).toBe(200);
    const error = await response.text().catch((e: unknown) => e);
    expect((error as Error).name).toBe('TimeoutError');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('streams the body, and cancelling it closes the connection instead of reading on', async () => {
    const controller = new AbortController();
    const response = await httpFetch(`${base}/stall`, { signal: controller.signal });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('{"half":');
    const closed = once(seenSockets.at(-1)!, 'close');
    await reader.cancel();
    await closed;
    // Nothing is left listening on the signal once the body is done with.
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('fails with the system error code when nothing listens', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    closed.close();
    await once(closed, 'close');
    const error = await httpFetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect((error as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('refuses a bad URL, header or body by rejecting: nothing is sent and no listener stays on the signal', async () => {
    const controller = new AbortController();
    const before = { connections, requests: seen.length };
    const refusals: [string, RequestInit][] = [
      ['not a url', {}],
      [`${base}/x`, { headers: { 'x-bad': 'line\nbreak' } }],
      [`${base}/x`, { method: 'POST', body: new Uint8Array([1, 2]) }],
      [`${base}/x`, { method: 'POST', body: new Blob(['form']) }],
    ];
    for (const [url, init] of refusals) {
      let pending: Promise<Response> | undefined;
      expect(() => {
        pending = httpFetch(url, { ...init, signal: controller.signal });
      }).not.toThrow();
      await expect(pending).rejects.toThrow(TypeError);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect({ connections, requests: seen.length }).toEqual(before);
  });
});
