import type { SendEmailCommand, SendEmailCommandInput, SendEmailCommandOutput } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import type { Digest } from '../../../lib/alerts/digest';
import { renderDigestHtml } from '../../../lib/channels/emailHtml';
import {
  emailSubject,
  recipientGroups,
  SES_MAX_RECIPIENTS,
  SesEmailSink,
  type SesSendEmailClient,
} from '../../../lib/channels/emailSink';
import { AlertDeliveryError } from '../../../lib/errors';
import { cert, digestOf, failure } from '../../helpers/reports';

const FROM = 'certwatch <certwatch@example.com>';

/** Records every SendEmail input; fails the calls listed in `failOn` (1-based) as SES would. */
class FakeSes implements SesSendEmailClient {
  readonly sent: SendEmailCommandInput[] = [];
  calls = 0;
  constructor(private readonly failOn: number[] = []) {}
  async send(command: SendEmailCommand): Promise<SendEmailCommandOutput> {
    this.calls += 1;
    if (this.failOn.includes(this.calls)) {
      throw Object.assign(
        new Error('Email address is not verified. The following identities failed the check'),
        {
          name: 'MessageRejected',
          $metadata: { httpStatusCode: 400, requestId: 'req-7' },
        },
      );
    }
    this.sent.push(command.input);
    return { $metadata: {}, MessageId: `m-${this.calls}` };
  }
}

function digest(): Digest {
  const result = digestOf(
    [
      cert({
        id: 'ssl-1',
        name: 'shop-2025',
        status: 'expired',
        daysLeft: -3,
        notAfter: '2026-11-20T00:00:00Z',
      }),
      cert({
        id: 'ssl-2',
        name: 'api <b>&</b>',
        status: 'critical',
        daysLeft: 5,
        notAfter: '2026-11-28T12:00:00Z',
        domains: ['api.example.com'],
        boundTo: ['ulb-api/vserver-443'],
      }),
    ],
    [failure()],
  );
  if (!result) throw new Error('expected a digest');
  return result;
}

function addresses(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `ops${i + 1}@example.com`);
}

describe('SesEmailSink', () => {
  it('sends one SendEmail with the subject, the text body and the HTML digest, both UTF-8', async () => {
    const ses = new FakeSes();
    const sink = new SesEmailSink({ from: FROM, to: ['a@example.com', 'b@example.org'], client: ses });
    const d = digest();
    await sink.publishDigest(d);
    expect(ses.sent).toEqual([
      {
        FromEmailAddress: FROM,
        Destination: { ToAddresses: ['a@example.com', 'b@example.org'] },
        Content: {
          Simple: {
            Subject: { Data: d.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: d.body, Charset: 'UTF-8' },
              Html: { Data: renderDigestHtml(d.content, d.subject), Charset: 'UTF-8' },
            },
          },
        },
      },
    ]);
    expect(ses.sent[0]?.Content?.Simple?.Body?.Html?.Data).toContain('api &lt;b&gt;&amp;&lt;/b&gt; (ssl-2)');
  });

  it('is the "email" channel with its own alert history and no per-certificate messages', () => {
    const sink = new SesEmailSink({ from: FROM, to: ['a@example.com'], client: new FakeSes() });
    expect(sink.name).toBe('email');
    expect(sink.historyScope).toBe('email');
    expect('publishAlerts' in sink).toBe(false);
  });

  it('keeps the subject to 100 characters on one line', async () => {
    const ses = new FakeSes();
    const long = `certwatch: scan INCOMPLETE\r\n(3 sources failed);\t${'1234 new alerts (1 expired), '.repeat(6)}\u202eend`;
    await new SesEmailSink({ from: FROM, to: ['a@example.com'], client: ses }).publishDigest({
      ...digest(),
      subject: long,
    });
    const subject = ses.sent[0]?.Content?.Simple?.Subject?.Data ?? '';
    expect(Array.from(subject).length).toBeLessThanOrEqual(100);
    expect(subject).toMatch(/^certwatch: scan INCOMPLETE \(3 sources failed\); 1234 new alerts/);
    expect(subject.endsWith('...')).toBe(true);
    expect(subject).not.toMatch(/[\p{Cc}\u202e]/u);
    expect(ses.sent[0]?.Content?.Simple?.Body?.Html?.Data).toContain(`<title>${subject}</title>`);
  });

  it('sends to more than 50 recipients in groups of 50, in order', async () => {
    const ses = new FakeSes();
    const to = addresses(120);
    await new SesEmailSink({ from: FROM, to, client: ses }).publishDigest(digest());
    expect(ses.sent.map((input) => input.Destination?.ToAddresses)).toEqual([
      to.slice(0, 50),
      to.slice(50, 100),
      to.slice(100),
    ]);
    expect(new Set(ses.sent.map((input) => JSON.stringify(input.Content))).size).toBe(1);
    expect(recipientGroups(addresses(50))).toHaveLength(1);
    expect(SES_MAX_RECIPIENTS).toBe(50);
  });

  it('names the group that failed, the groups delivered and what to check; later groups are not sent', async () => {
    const ses = new FakeSes([2]);
    const sink = new SesEmailSink({ from: FROM, to: addresses(120), client: ses });
    const error = await sink.publishDigest(digest()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AlertDeliveryError);
    const message = (error as Error).message;
    expect(message).toContain(`SES SendEmail from ${FROM} to recipients 51-100 of 120 (group 2 of 3; `);
    expect(message).toContain('recipients 1-50 were sent the digest)');
    expect(message).toContain('MessageRejected: Email address is not verified');
    expect(message).toContain('(HTTP 400, request req-7)');
    expect(message).toContain('verified in SES in the region');
    expect(message).toContain('allows ses:SendEmail on that identity');
    expect(message).toContain('sandbox');
    expect(message).toContain('CERTWATCH_EMAIL_FROM');
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(ses.calls).toBe(2);
    expect(ses.sent).toHaveLength(1);
  });

  it('names a short list of recipients by address, and says nothing of the message or its content', async () => {
    const ses = new FakeSes([1]);
    const d = digest();
    const error = await new SesEmailSink({ from: FROM, to: ['a@example.com', 'b@example.org'], client: ses })
      .publishDigest(d)
      .then(
        () => null,
        (e: unknown) => e as Error,
      );
    expect(error?.message).toMatch(
      /^SES SendEmail from certwatch <certwatch@example.com> to a@example.com, b@example.org failed: MessageRejected/,
    );
    expect(error?.message).not.toContain('group');
    expect(error?.message).not.toContain('shop-2025');
    const many = await new SesEmailSink({ from: FROM, to: addresses(7), client: new FakeSes([1]) })
      .publishDigest(d)
      .then(
        () => null,
        (e: unknown) => e as Error,
      );
    expect(many?.message).toContain('to 7 recipients (ops1@example.com, ...) failed');
  });

  it('leaves the HTML part out when it would take the message over the size limit, and refuses a text too large', async () => {
    const d = digest();
    const html = renderDigestHtml(d.content, d.subject);
    const allowance = 64 * 1024;
    const textOnly = allowance + Math.ceil((Buffer.byteLength(d.body) * 4) / 3) + 1024;
    expect(Buffer.byteLength(html)).toBeGreaterThan(1024);
    const ses = new FakeSes();
    await new SesEmailSink({
      from: FROM,
      to: ['a@example.com'],
      client: ses,
      maxMessageBytes: textOnly,
    }).publishDigest(d);
    expect(ses.sent[0]?.Content?.Simple?.Body).toEqual({ Text: { Data: d.body, Charset: 'UTF-8' } });

    const refused = new FakeSes();
    const error = await new SesEmailSink({
      from: FROM,
      to: ['a@example.com'],
      client: refused,
      maxMessageBytes: allowance + 100,
    })
      .publishDigest(d)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(AlertDeliveryError);
    expect((error as Error).message).toContain('too large for SES');
    expect((error as Error).message).toContain('nothing was sent');
    expect(refused.calls).toBe(0);
  });

  it('previews one request per group: sender, recipients, subject and both parts exactly as sent', async () => {
    const ses = new FakeSes();
    const sink = new SesEmailSink({ from: FROM, to: addresses(51), client: ses });
    const d = digest();
    expect(sink.preview(null, [])).toEqual([]);
    const previews = sink.preview(d, []);
    await sink.publishDigest(d);
    expect(previews.map((p) => p.to)).toEqual([
      `SES SendEmail from ${FROM} to ${addresses(50).join(', ')}`,
      `SES SendEmail from ${FROM} to ops51@example.com`,
    ]);
    const simple = ses.sent[0]?.Content?.Simple;
    expect(previews[1]?.body).toBe(
      [
        `Subject: ${simple?.Subject?.Data}`,
        '--- text/plain; charset=UTF-8 ---',
        simple?.Body?.Text?.Data,
        '--- text/html; charset=UTF-8 ---',
        simple?.Body?.Html?.Data,
      ].join('\n'),
    );
    expect(previews[0]?.body).toBe(previews[1]?.body);
  });
});

describe('emailSubject', () => {
  it('turns line breaks and control characters into spaces and drops bidi overrides', () => {
    expect(emailSubject('a\nb\u0007c\u2028d \u202eé証')).toBe('a b c d é証');
  });

  it('never sends an empty subject', () => {
    expect(emailSubject(' \n\t')).toBe('certwatch alert');
  });
});
