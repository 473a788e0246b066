/**
 * An HTTP proxy on 127.0.0.1 in front of moto_server that makes SNS PublishBatch fail part of a batch, as real SNS
 * can (HTTP 200 with some entries under `Failed`) and moto never does. An entry chosen to fail is taken out of the
 * request before moto sees it, so it is really not published, and put back into the reply as a `Failed` member:
 * what a subscriber receives is exactly what SNS would have delivered. Every other call passes through untouched.
 *
 * Point an SNSClient's `endpoint` at `endpoint`; it speaks the AWS query protocol (form body, XML reply).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';

/** How a refused entry fails: SNS's `Failed[]` fields. */
export interface EntryFailure {
  code: string;
  message: string;
  senderFault: boolean;
}

export interface BatchEntry {
  id: string;
  message: string;
}

export interface SnsFailingProxy {
  readonly endpoint: string;
  /** Entries refused so far, in order. */
  readonly refused: BatchEntry[];
  close(): Promise<void>;
}

/**
 * `decide` is asked about every PublishBatch entry; a failure it returns makes that entry fail, null lets it
 * through to moto.
 */
export async function startSnsFailingProxy(
  target: string,
  decide: (entry: BatchEntry) => EntryFailure | null,
): Promise<SnsFailingProxy> {
  const refused: BatchEntry[] = [];
  const server = createServer((incoming, outgoing) => {
    void handle(incoming, outgoing).catch((error: unknown) => {
      outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end(`proxy failed: ${String(error)}`);
    });
  });

  async function handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const body = Buffer.concat(await collect(incoming)).toString('utf8');
    const form = new URLSearchParams(body);
    if (form.get('Action') !== 'PublishBatch') {
      return forward(incoming, body, outgoing, (reply) => reply);
    }
    const { kept, failed } = splitBatch(form, decide);
    refused.push(...failed.map(({ entry }) => entry));
    const failedXml = failed
      .map(
        ({ entry, failure }) =>
          `<member><Id>${escapeXml(entry.id)}</Id><Code>${escapeXml(failure.code)}</Code>` +
          `<Message>${escapeXml(failure.message)}</Message><SenderFault>${failure.senderFault}</SenderFault></member>`,
      )
      .join('');
    if (kept === null) {
      // Nothing left for moto: answer as SNS would for a batch whose every entry failed.
      outgoing.writeHead(200, { 'content-type': 'text/xml' });
      outgoing.end(
        '<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishBatchResult>' +
          `<Successful></Successful><Failed>${failedXml}</Failed></PublishBatchResult>` +
          '<ResponseMetadata><RequestId>proxy</RequestId></ResponseMetadata></PublishBatchResponse>',
      );
      return;
    }
    return forward(incoming, kept, outgoing, (reply) => injectFailed(reply, failedXml));
  }

  function forward(
    incoming: IncomingMessage,
    body: string,
    outgoing: ServerResponse,
    rewrite: (reply: string) => string,
  ): Promise<void> {
    const url = new URL(incoming.url ?? '/', target);
    const headers = {
      ...incoming.headers,
      host: url.host,
      'content-length': String(Buffer.byteLength(body)),
    };
    return new Promise((resolve, reject) => {
      const upstream = request(url, { method: incoming.method, headers }, (reply) => {
        collect(reply)
          .then((chunks) => {
            const text = rewrite(Buffer.concat(chunks).toString('utf8'));
            const replyHeaders = { ...reply.headers, 'content-length': String(Buffer.byteLength(text)) };
            delete replyHeaders['transfer-encoding'];
            outgoing.writeHead(reply.statusCode ?? 502, replyHeaders);
            outgoing.end(text);
            resolve();
          })
          .catch(reject);
      });
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    refused,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

const MEMBER = /^PublishBatchRequestEntries\.member\.(\d+)\.(.+)$/;

/**
 * The request without the entries `decide` fails (the rest renumbered from 1, as the query protocol wants), or
 * null when none is left; and the failed entries with their failures.
 */
function splitBatch(
  form: URLSearchParams,
  decide: (entry: BatchEntry) => EntryFailure | null,
): { kept: string | null; failed: { entry: BatchEntry; failure: EntryFailure }[] } {
  const members = new Map<number, [string, string][]>();
  const rest: [string, string][] = [];
  for (const [name, value] of form) {
    const match = MEMBER.exec(name);
    if (!match) {
      rest.push([name, value]);
      continue;
    }
    const index = Number(match[1]);
    const fields = members.get(index) ?? [];
    fields.push([match[2]!, value]);
    members.set(index, fields);
  }
  const failed: { entry: BatchEntry; failure: EntryFailure }[] = [];
  const kept = new URLSearchParams(rest);
  let next = 1;
  for (const index of [...members.keys()].sort((a, b) => a - b)) {
    const fields = members.get(index)!;
    const field = (name: string) => fields.find(([key]) => key === name)?.[1] ?? '';
    const entry = { id: field('Id'), message: field('Message') };
    const failure = decide(entry);
    if (failure) {
      failed.push({ entry, failure });
      continue;
    }
    for (const [key, value] of fields) kept.append(`PublishBatchRequestEntries.member.${next}.${key}`, value);
    next += 1;
  }
  return { kept: next === 1 ? null : kept.toString(), failed };
}

function injectFailed(reply: string, failedXml: string): string {
  if (failedXml === '') return reply;
  if (reply.includes('<Failed>')) return reply.replace('<Failed>', `<Failed>${failedXml}`);
  if (reply.includes('<Failed/>')) return reply.replace('<Failed/>', `<Failed>${failedXml}</Failed>`);
  if (reply.includes('<Failed />')) return reply.replace('<Failed />', `<Failed>${failedXml}</Failed>`);
  return reply.replace('</PublishBatchResult>', `<Failed>${failedXml}</Failed></PublishBatchResult>`);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

async function collect(stream: IncomingMessage): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return chunks;
}
