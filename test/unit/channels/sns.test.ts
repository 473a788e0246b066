import type { PublishCommand, PublishCommandOutput } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import type { OutgoingAlert } from '../../../lib/alerts/sink';
import {
  type SnsPublishClient,
  SnsSink,
  sanitizeSnsSubject,
  splitMessage,
} from '../../../lib/channels/snsSink';
import { AlertDeliveryError } from '../../../lib/errors';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:certwatch';

/** Records what would have been published; fails the publishes listed in `failOn` (1-based). */
class FakeSns implements SnsPublishClient {
  readonly published: {
    Subject?: string | undefined;
    Message?: string | undefined;
    TopicArn?: string | undefined;
  }[] = [];
  constructor(private readonly failOn: number[] = []) {}
  async send(command: PublishCommand): Promise<PublishCommandOutput> {
    if (this.failOn.includes(this.published.length + 1)) {
      throw Object.assign(new Error('User is not authorized to perform: SNS:Publish'), {
        name: 'AuthorizationErrorException',
        $metadata: { httpStatusCode: 403, requestId: 'req-1' },
      });
    }
    this.published.push(command.input);
    return { $metadata: {}, MessageId: `m-${this.published.length}` };
  }
}

describe('SnsSink', () => {
  it('previews exactly the Publish calls it makes for a digest, then each structured message with its attributes', async () => {
    const sns = new FakeSns();
    const sink = new SnsSink(sns, TOPIC, { maxMessageBytes: 1000 });
    const digest = { subject: 'certwatch: 2 new alerts\n(é)', body: 'a line of the digest\n'.repeat(120) };
    await sink.publishDigest(digest);
    const alert: OutgoingAlert = {
      id: 'a0',
      message: '{"schema":"certwatch.alert/1"}',
      attributes: { severity: { DataType: 'String', StringValue: 'critical' } },
    };
    const preview = sink.preview(digest, [alert]);
    expect(preview.slice(0, -1)).toEqual(
      sns.published.map((p) => ({
        to: `SNS Publish to ${TOPIC}`,
        body: `Subject: ${p.Subject}\n\n${p.Message}`,
      })),
    );
    expect(preview.length).toBeGreaterThan(2);
    expect(preview.at(-1)).toEqual({
      to: `SNS PublishBatch entry to ${TOPIC} (attributes: severity=critical)`,
      body: alert.message,
    });
    expect(sink.preview(null, [])).toEqual([]);
  });

  it('publishes the digest as one message when it fits', async () => {
    const sns = new FakeSns();
    await new SnsSink(sns, TOPIC).publishDigest({
      subject: 'certwatch: 1 certificate needs action',
      body: 'x\n',
    });
    expect(sns.published).toEqual([
      { TopicArn: TOPIC, Subject: 'certwatch: 1 certificate needs action', Message: 'x\n' },
    ]);
  });

  it('splits a large body into numbered parts of whole lines', async () => {
    const sns = new FakeSns();
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${'é'.repeat(i % 7)}`);
    const body = `${lines.join('\n')}\n`;
    await new SnsSink(sns, TOPIC, { maxMessageBytes: 1000 }).publishDigest({ subject: 'digest', body });
    const total = sns.published.length;
    expect(total).toBeGreaterThan(2);
    sns.published.forEach((message, index) => {
      expect(message.Subject).toBe(`digest (part ${index + 1} of ${total})`);
      expect(Buffer.byteLength(message.Message ?? '')).toBeLessThanOrEqual(1000);
      expect(message.Message?.startsWith(`[part ${index + 1} of ${total}]\n\n`)).toBe(true);
    });
    const rejoined = sns.published
      .map((m) => (m.Message ?? '').replace(/^\[part \d+ of \d+\]\n\n/, ''))
      .join('');
    expect(rejoined).toBe(body);
  });

  it('keeps the part number when the subject is already 100 characters', async () => {
    const sns = new FakeSns();
    const body = 'a line\n'.repeat(400);
    await new SnsSink(sns, TOPIC, { maxMessageBytes: 1024 }).publishDigest({
      subject: 'word '.repeat(30),
      body,
    });
    for (const message of sns.published) {
      expect(message.Subject?.length).toBeLessThanOrEqual(100);
      expect(message.Subject).toMatch(/\.\.\. \(part \d of \d\)$/);
    }
  });

  it('wraps a failed publish in AlertDeliveryError naming the topic and what to check', async () => {
    const sns = new FakeSns([1]);
    const error = await new SnsSink(sns, TOPIC).publishDigest({ subject: 's', body: 'b' }).catch((e) => e);
    expect(error).toBeInstanceOf(AlertDeliveryError);
    expect(error.message).toContain(TOPIC);
    expect(error.message).toContain('sns:Publish');
    expect(error.message).toContain('(eu-west-1)');
    expect(error.message).toContain('AuthorizationErrorException');
    expect(error.message).toContain('HTTP 403, request req-1');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('says which parts were delivered when a later part fails', async () => {
    const sns = new FakeSns([2]);
    const body = 'a line\n'.repeat(400);
    const error = await new SnsSink(sns, TOPIC, { maxMessageBytes: 1024 })
      .publishDigest({ subject: 's', body })
      .catch((e) => e);
    expect(error).toBeInstanceOf(AlertDeliveryError);
    expect(error.message).toMatch(/\(part 2 of \d; parts 1-1 were delivered\)/);
    expect(sns.published).toHaveLength(1);
  });
});

describe('sanitizeSnsSubject', () => {
  it('makes any text a one-line printable ASCII subject of at most 100 characters', () => {
    expect(sanitizeSnsSubject('  Zertifikat für café\nabläuft\t\u0007 in 北京 ')).toBe(
      'Zertifikat fur cafe ablauft in ??',
    );
    expect(sanitizeSnsSubject('\n\u200b\n')).toBe('certwatch alert');
    expect(sanitizeSnsSubject('a\u2028b\u00a0c')).toBe('a b c');
    const long = sanitizeSnsSubject('x'.repeat(500));
    expect(long).toHaveLength(100);
    expect(long).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('splitMessage', () => {
  it('returns the body unchanged when it fits', () => {
    expect(splitMessage('short\n', 100)).toEqual(['short\n']);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const body = `${'€'.repeat(30)}\n`.repeat(10); // 91 bytes a line, 31 characters
    const parts = splitMessage(body, 300);
    for (const part of parts) expect(Buffer.byteLength(part)).toBeLessThanOrEqual(300);
    expect(parts.length).toBeGreaterThan(3);
  });

  it('cuts a single line longer than a part only at a character boundary', () => {
    const parts = splitMessage(`${'😀'.repeat(100)}\n`, 100);
    for (const part of parts) {
      expect(Buffer.byteLength(part)).toBeLessThanOrEqual(100);
      expect(part).not.toContain('\ufffd');
    }
    expect(parts.map((p) => p.replace(/^\[part \d+ of \d+\]\n\n/, '')).join('')).toBe(
      `${'😀'.repeat(100)}\n`,
    );
  });

  it('leaves room for a longer header when there are ten parts or more', () => {
    const parts = splitMessage('0123456789\n'.repeat(300), 120);
    expect(parts.length).toBeGreaterThanOrEqual(10);
    for (const part of parts) expect(Buffer.byteLength(part)).toBeLessThanOrEqual(120);
    expect(parts[parts.length - 1]).toMatch(new RegExp(`^\\[part ${parts.length} of ${parts.length}\\]`));
  });
});
