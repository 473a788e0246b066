/**
 * An HTTP server on 127.0.0.1 (port 0) that answers every request with a reply too large to hold: 200 and a body
 * that streams until the client hangs up (`stream`), or 200 with a Content-Length of `declaredBytes` and then the
 * same stream (`declare`). It writes only as fast as the client reads (it waits for 'drain'), so what it counts as
 * sent is what the client took in, plus what the sockets buffer: a client that reads the whole reply makes it count
 * up to `stopAfterBytes`, where it stops (so a test of a client without a limit ends instead of filling memory).
 */
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FloodOptions {
  mode: 'stream' | 'declare';
  /** The Content-Length a `declare` reply states; default 5 GiB. */
  declaredBytes?: number;
  /** Bytes of body after which the server stops writing; default 64 MiB. */
  stopAfterBytes?: number;
  /** Delay before the body starts, ms: time for a client to refuse on the headers alone. Default 0. */
  bodyDelayMs?: number;
  /** The body's first bytes; the rest is filler. Default `{"filler":"`. */
  prefix?: string;
}

/** What the server saw of one request and its reply. */
export interface FloodReply {
  path: string;
  /** Body bytes written to the socket. */
  bytesSent: number;
  /** The client closed the connection before the server stopped writing. */
  closedEarly: boolean;
}

export interface FloodServer {
  readonly origin: string;
  readonly replies: FloodReply[];
  /** Resolves once every reply so far has ended (the client hung up or the server stopped writing). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const CHUNK = Buffer.alloc(64 * 1024, 'x');

export async function startFloodServer(options: FloodOptions): Promise<FloodServer> {
  const stopAfter = options.stopAfterBytes ?? 64 * 1024 * 1024;
  const replies: FloodReply[] = [];
  const pending: Promise<void>[] = [];
  const server: Server = createServer((request, response) => {
    request.resume();
    const reply: FloodReply = { path: request.url ?? '', bytesSent: 0, closedEarly: false };
    replies.push(reply);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.mode === 'declare')
      headers['content-length'] = String(options.declaredBytes ?? 5 * 1024 ** 3);
    response.writeHead(200, headers);
    response.flushHeaders();
    pending.push(
      (async () => {
        let closed = false;
        response.on('close', () => {
          closed = true;
        });
        // The body waits, unless the client hangs up first (then nothing of it is sent: what the tests look for).
        if (options.bodyDelayMs && !closed) await delayedOrClosed(response, options.bodyDelayMs);
        let first: Buffer | null = Buffer.from(options.prefix ?? '{"filler":"');
        while (!closed && reply.bytesSent < stopAfter) {
          const chunk = first ?? CHUNK;
          first = null;
          reply.bytesSent += chunk.length;
          if (!response.write(chunk)) await drainedOrClosed(response);
        }
        reply.closedEarly = closed;
        // A declared reply is left unfinished (its Content-Length is never met); a streamed one ends.
        if (!closed && options.mode === 'stream') response.end('"}');
      })(),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    replies,
    settled: async () => {
      await Promise.all(pending);
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

function delayedOrClosed(response: ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      response.off('close', done);
      resolve();
    }
    response.on('close', done);
  });
}

function drainedOrClosed(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}
