/**
 * The provider clients' default `fetch`: the small part of fetch they use (method, headers, a string or form body,
 * a signal; status, headers and the body as text), on node:http/https with keep-alive agents. Measured on the
 * rate-limit benchmark, Node's built-in fetch (undici) cost most of the ~2 ms of CPU per provider call, enough to
 * hold a scan below 1,000 calls/s on one core; this path costs a fraction of that. Tests may still pass any
 * fetch (the clients only need this subset).
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
    const onAbort = () => {
      request.destroy();
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = () => signal?.removeEventListener('abort', onAbort);
    request.on('error', (error) => {
      settle();
      reject(error);
    });
    request.on('response', (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => {
        settle();
        reject(error);
      });
      response.on('end', () => {
        settle();
        try {
          const status = response.statusCode ?? 0;
          const headers = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            if (value === undefined) continue;
            for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
          }
          const text = NULL_BODY.has(status) ? null : Buffer.concat(chunks).toString('utf8');
          resolve(new Response(text, { status, statusText: response.statusMessage ?? '', headers }));
        } catch (error) {
          reject(error);
        }
      });
    });
    request.end(body);
  });

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
