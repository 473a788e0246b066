/**
 * A chat platform's webhook endpoint on 127.0.0.1 (port 0), for tests: it records every request as received and
 * answers as the test's handler says. Each platform's receiver (test/helpers/receivers/) puts the platform's
 * documented checks and answers in a handler.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** When it arrived (Date.now()). */
  atMs: number;
}

export interface ReceiverReply {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export type ReceiverHandler = (
  request: ReceivedRequest,
  index: number,
) => ReceiverReply | Promise<ReceiverReply>;

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly requests: ReceivedRequest[];
  /** Replaces the handler (to make the platform fail, throttle, recover). */
  answer(handler: ReceiverHandler): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(handler: ReceiverHandler): Promise<WebhookReceiver> {
  let current = handler;
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        atMs: Date.now(),
      };
      const index = requests.push(request) - 1;
      Promise.resolve()
        .then(() => current(request, index))
        .then(
          (reply) => {
            res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
            res.end(reply.body);
          },
          (error: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(`receiver handler threw: ${String(error)}`);
          },
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    answer: (next) => {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
