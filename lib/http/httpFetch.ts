/**
 * The provider clients' and webhooks' default `fetch`: the small part of fetch they use (method, headers, a string
 * or form body, a signal; status, headers and the body), on node:http/https with keep-alive agents. Measured on the
 * rate-limit benchmark, Node's built-in fetch (undici) cost most of the ~2 ms of CPU per provider call, enough to
 * hold a scan below 1,000 calls/s on one core; this path costs a fraction of that. Tests may still pass any fetch
 * (the clients only need this subset).
 *
 * As fetch does, it resolves when the status and headers arrive and streams the body, so the reader decides how
 * much of a reply to take (transport.ts stops at a size limit); cancelling the body or aborting the signal closes
 * the connection rather than reading on.
 */
import {
  type ClientRequest,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** Sockets kept open per host: enough for the calls a paced lane keeps in flight. */
const MAX_SOCKETS = 64;
const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS });

/** Statuses a Response may not carry a body with. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

export const httpFetch: typeof globalThis.fetch = (input, init = {}) =>
  new Promise<Response>((resolve, reject) => {
    const signal = init.signal ?? undefined;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    // Everything that can refuse the call (URL, method, body, headers) is checked before a socket is asked for,
    // and refuses it as fetch does: by rejecting, never by throwing, with no listener left on the signal.
    let request: ClientRequest;
    let body: string | undefined;
    try {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const method = (init.method ?? 'GET').toUpperCase();
      body = bodyOf(method, init.body);
      const secure = url.protocol === 'https:';
      request = (secure ? httpsRequest : httpRequest)(url, {
        method,
        headers: headersOf(init.headers),
        agent: secure ? httpsAgent : httpAgent,
      });
    } catch (error) {
      reject(error);
      return;
    }
    // Until the reply's body has ended, aborting closes the connection and fails whatever waits on it: the promise
    // before the headers came, the body after.
    let fail: (reason: unknown) => void = reject;
    const onAbort = () => {
      request.destroy();
      fail(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = () => signal?.removeEventListener('abort', onAbort);
    request.on('error', (error) => {
      settle();
      fail(error);
    });
    request.on('response', (response: IncomingMessage) => {
      let reply: Response;
      try {
        const status = response.statusCode ?? 0;
        const headers = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (value === undefined) continue;
          for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
        }
        const init = { status, statusText: response.statusMessage ?? '', headers };
        if (NULL_BODY.has(status)) {
          reply = new Response(null, init);
          // Drained, so the socket goes back to the pool.
          response.resume();
          settle();
        } else {
          const body = streamBody(response, { onSettled: settle, destroy: () => request.destroy() });
          fail = body.fail;
          reply = new Response(body.stream, init);
        }
      } catch (error) {
        settle();
        request.destroy();
        reject(error);
        return;
      }
      resolve(reply);
    });
    request.end(body);
  });

/**
 * A reply's body as a web stream that reads from the socket only as fast as the reader takes it (the socket is
 * paused while a chunk waits), so nothing is buffered that the reader did not ask for. `fail` errors the stream
 * and closes the connection; cancelling it closes the connection too.
 */
function streamBody(
  response: IncomingMessage,
  hooks: { onSettled: () => void; destroy: () => void },
): { stream: ReadableStream<Uint8Array>; fail: (reason: unknown) => void } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let open = true;
  const finish = (then: () => void) => {
    if (!open) return;
    open = false;
    hooks.onSettled();
    then();
  };
  const stream = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c;
    },
    pull: () => {
      response.resume();
    },
    cancel: () => finish(hooks.destroy),
  });
  response.on('data', (chunk: Buffer) => {
    if (!open) return;
    controller.enqueue(chunk);
    if ((controller.desiredSize ?? 0) <= 0) response.pause();
  });
  response.on('end', () => finish(() => controller.close()));
  response.on('error', (error) => finish(() => controller.error(error)));
  // A connection that closed before the body ended (Node reports it as an error first; this is the backstop).
  response.on('close', () =>
    finish(() => controller.error(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))),
  );
  return {
    stream,
    fail: (reason) =>
      finish(() => {
        hooks.destroy();
        controller.error(reason);
      }),
  };
}

/** The body as text. As fetch does, a GET or HEAD never carries one; only the kinds the clients send are taken. */
function bodyOf(method: string, body: RequestInit['body']): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (method === 'GET' || method === 'HEAD') {
    throw new TypeError(`httpFetch: a ${method} request cannot have a body`);
  }
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  throw new TypeError('httpFetch sends string or URLSearchParams bodies only');
}

function headersOf(headers: RequestInit['headers']): Record<string, string> {
  if (!headers) return {};
  if (headers instanceof Headers) return Object.fromEntries(headers.entries());
  if (Array.isArray(headers)) return Object.fromEntries(headers);
  return headers as Record<string, string>;
}
