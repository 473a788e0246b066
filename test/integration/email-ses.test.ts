/**
 * SesEmailSink against a real SES v2 API (moto_server): create the sender identity, send the digest, read the
 * message back from moto's `/moto-api/data.json`.
 *
 * What moto 5.2.1 keeps of a `Content.Simple` SendEmail (data.json `ses.Message[]`): `source`, `subject`,
 * `destinations` ({ToAddresses}) and `body`, which is the HTML part when there is one (the text part is dropped).
 * So the text part is checked on the wire: the request body the SDK sent to moto, recorded by a middleware.
 * moto refuses a sender that is not a created identity (MessageRejected, HTTP 400) and more than 50 recipients.
 */
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDigestHtml } from '../../lib/channels/emailHtml';
import { createSesEmailSink, SesEmailSink } from '../../lib/channels/emailSink';
import { AlertDeliveryError } from '../../lib/errors';
import type { ScanReport } from '../../lib/model';
import { type MotoServer, motoClientConfig, startMoto } from '../helpers/moto';
import { cert, digestOf, ms, NOW } from '../helpers/reports';

/** What moto's data.json keeps of a sent message. */
interface MotoMessage {
  id: string;
  source: string;
  subject: string;
  body: string;
  destinations: { ToAddresses?: string[] };
}

interface SimpleContentRequest {
  FromEmailAddress: string;
  Destination: { ToAddresses: string[] };
  Content: {
    Simple: { Subject: { Data: string }; Body: { Text?: { Data: string }; Html?: { Data: string } } };
  };
}

const SECRET = 'canary-secret-access-key-6f1d';

let moto: MotoServer;
let ses: SESv2Client;
/** The SendEmail request bodies as sent to moto. */
const wire: SimpleContentRequest[] = [];

beforeAll(async () => {
  moto = await startMoto();
  ses = new SESv2Client(motoClientConfig(moto.endpoint));
  ses.middlewareStack.add(
    (next) => async (args) => {
      // The JSON protocol hands the body over as bytes.
      const raw = (args.request as { body?: unknown }).body;
      const body = raw instanceof Uint8Array ? new TextDecoder().decode(raw) : raw;
      if (typeof body === 'string' && body.includes('"FromEmailAddress"')) wire.push(JSON.parse(body));
      return next(args);
    },
    { step: 'finalizeRequest', name: 'recordSendEmail' },
  );
});

afterAll(async () => {
  ses?.destroy();
  await moto?.stop();
});

async function sentMessages(): Promise<MotoMessage[]> {
  const response = await fetch(`${moto.endpoint}/moto-api/data.json`);
  expect(response.status).toBe(200);
  const data = (await response.json()) as { ses?: { Message?: MotoMessage[] } };
  return data.ses?.Message ?? [];
}

function demoLikeDigest() {
  const report: ScanReport = {
    generatedAtMs: ms(NOW),
    nowMs: ms(NOW),
    complete: false,
    certificates: [
      cert({}),
      cert({
        id: 'ssl-1',
        name: 'shop-2025',
        status: 'expired',
        daysLeft: -3,
        notAfter: '2026-11-20T00:00:00Z',
        leafNotAfter: '2026-11-20T00:00:00Z',
        domains: ['shop.example.com'],
        boundTo: ['ulb-shop/vserver-443'],
      }),
      cert({
        id: 'ssl-2',
        name: 'api & <partners>',
        status: 'critical',
        daysLeft: 5,
        notAfter: '2026-11-28T12:00:00Z',
        domains: ['api.example.com'],
        boundTo: ['ulb-api/vserver-443'],
      }),
    ],
    failures: [{ provider: 'aliyun', service: 'cdn', region: null, project: null, message: 'Forbidden.RAM' }],
  };
  const digest = digestOf(report.certificates, report.failures);
  if (!digest) throw new Error('expected a digest');
  return digest;
}

describe('SesEmailSink over moto_server', () => {
  it('sends the digest from a created identity: subject, sender, recipients, text and HTML parts', async () => {
    const from = 'certwatch@alerts.example.com';
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: from }));
    const digest = demoLikeDigest();
    const to = ['ops@example.com', 'oncall@example.org'];
    const before = (await sentMessages()).length;

    await new SesEmailSink({ from, to, client: ses }).publishDigest(digest);

    const sent = (await sentMessages()).slice(before);
    expect(sent).toHaveLength(1);
    const [message] = sent;
    expect(message?.source).toBe(from);
    expect(message?.subject).toBe(
      'certwatch: scan INCOMPLETE (1 source failed); 2 new alerts (1 expired, 1 critical)',
    );
    expect(message?.destinations).toEqual({ ToAddresses: to });
    // moto keeps the HTML part: the digest as tables, provider text escaped.
    expect(message?.body).toBe(renderDigestHtml(digest.content, digest.subject));
    expect(message?.body).toContain('<table role="presentation"');
    expect(message?.body).toContain('shop-2025 (ssl-1)');
    expect(message?.body).toContain('api &amp; &lt;partners&gt; (ssl-2)');
    expect(message?.body).toContain('>SCAN INCOMPLETE</strong>');

    // The text part, as it went to SES beside the HTML.
    const request = wire.at(-1);
    expect(request?.FromEmailAddress).toBe(from);
    expect(request?.Content.Simple.Body.Text?.Data).toBe(digest.body);
    expect(request?.Content.Simple.Body.Text?.Data).toContain('* shop-2025 (ssl-1)');
    expect(request?.Content.Simple.Body.Text?.Data).toContain('* api & <partners> (ssl-2)');
    expect(request?.Content.Simple.Body.Html?.Data).toBe(message?.body);
  });

  it('reaches 120 recipients in three messages, which moto (like SES) would refuse as one', async () => {
    const from = 'certwatch@fanout.example.com';
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: from }));
    const to = Array.from({ length: 120 }, (_, i) => `person${i + 1}@example.com`);
    const before = (await sentMessages()).length;

    await new SesEmailSink({ from, to, client: ses }).publishDigest(demoLikeDigest());

    const sent = (await sentMessages()).slice(before);
    expect(sent.map((message) => message.destinations.ToAddresses)).toEqual([
      to.slice(0, 50),
      to.slice(50, 100),
      to.slice(100),
    ]);
  });

  it('fails with the sender, the SES error and what to check when the identity is not verified', async () => {
    const from = 'certwatch@unverified.example.net';
    const sink = createSesEmailSink({
      from,
      to: ['ops@example.com'],
      clientConfig: {
        ...motoClientConfig(moto.endpoint),
        credentials: { accessKeyId: 'AKIACANARY', secretAccessKey: SECRET },
      },
    });
    const before = (await sentMessages()).length;

    const error = await sink.publishDigest(demoLikeDigest()).then(
      () => null,
      (e: unknown) => e as Error,
    );

    expect(error).toBeInstanceOf(AlertDeliveryError);
    expect(error?.message).toContain(
      `SES SendEmail from ${from} to ops@example.com failed: MessageRejected: Email address not verified ${from} (HTTP 400`,
    );
    expect(error?.message).toContain(`sender identity (${from}, or its domain) is verified in SES`);
    expect(error?.message).toContain('ses:SendEmail');
    expect(error?.message).not.toContain(SECRET);
    expect(error?.message).not.toContain('AKIACANARY');
    expect(await sentMessages()).toHaveLength(before);
  });
});
