/**
 * SnsSink against a real SNS API (moto_server): topic -> SQS subscription -> what a subscriber receives.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SNS_MAX_MESSAGE_BYTES } from '../../lib/channels/snsMessage';
import { createSnsSink } from '../../lib/channels/snsSink';
import { AlertDeliveryError } from '../../lib/errors';
import type { ScanReport } from '../../lib/model';
import { MOTO_ACCOUNT_ID, type MotoServer, motoClientConfig, startMoto } from '../helpers/moto';
import { cert, digestOf, ms, NOW } from '../helpers/reports';
import { type Notification, receive, topicWithQueue } from '../helpers/snsQueue';

let moto: MotoServer;
let sns: SNSClient;
let sqs: SQSClient;

beforeAll(async () => {
  moto = await startMoto();
  sns = new SNSClient(motoClientConfig(moto.endpoint));
  sqs = new SQSClient(motoClientConfig(moto.endpoint));
});

afterAll(async () => {
  sns?.destroy();
  sqs?.destroy();
  await moto?.stop();
});

describe('SnsSink over moto_server', () => {
  it('delivers the digest with its subject to an SQS subscriber', async () => {
    const { topicArn, queueUrl } = await topicWithQueue(sns, sqs, 'certwatch-digest');
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
        }),
        cert({
          id: 'ssl-2',
          name: 'api',
          status: 'critical',
          daysLeft: 5,
          notAfter: '2026-11-28T12:00:00Z',
          domains: ['api.example.com'],
        }),
      ],
      failures: [
        { provider: 'aliyun', service: 'cdn', region: null, project: null, message: 'Forbidden.RAM' },
      ],
    };
    const digest = digestOf(report.certificates, report.failures)!;

    await createSnsSink(topicArn, motoClientConfig(moto.endpoint)).publishDigest(digest);

    const [notification, ...more] = await receive(sqs, queueUrl, 1);
    expect(more).toEqual([]);
    expect(notification?.TopicArn).toBe(topicArn);
    expect(notification?.Subject).toBe(
      'certwatch: scan INCOMPLETE (1 source failed); 2 new alerts (1 expired, 1 critical)',
    );
    expect(notification?.Message).toBe(digest.body);
    expect(notification?.Message).toContain('* shop-2025 (ssl-1)');
    expect(notification?.Message).toContain('2026-11-20 00:00:00 UTC, expired 3 days ago');
    expect(notification?.Message).toContain('* aliyun / cdn');
  });

  it('splits a digest over 256 KiB into parts of whole lines that all arrive', async () => {
    const { topicArn, queueUrl } = await topicWithQueue(sns, sqs, 'certwatch-large');
    const certificates = Array.from({ length: 1500 }, (_, i) =>
      cert({
        id: `ssl-${String(i).padStart(5, '0')}`,
        name: `fleet-cert-${i}`,
        status: 'warning',
        daysLeft: 10 + (i % 20),
        notAfter: '2026-12-10T00:00:00Z',
        domains: [`host-${i}.example.com`, `www.host-${i}.example.com`, `api.host-${i}.example.com`],
        notes: [`bound to ${i % 4} listeners across two load balancers; renewal ticket OPS-${i}`],
      }),
    );
    const digest = digestOf(certificates)!;
    const bodyBytes = Buffer.byteLength(digest.body);
    expect(bodyBytes).toBeGreaterThan(SNS_MAX_MESSAGE_BYTES);

    await createSnsSink(topicArn, motoClientConfig(moto.endpoint)).publishDigest(digest);

    const expectedParts = Math.ceil(bodyBytes / SNS_MAX_MESSAGE_BYTES);
    const notifications = await receive(sqs, queueUrl, expectedParts);
    const total = notifications.length;
    expect(total).toBeGreaterThanOrEqual(expectedParts);
    const partOf = (n: Notification) => Number(/\(part (\d+) of \d+\)$/.exec(n.Subject ?? '')?.[1]);
    notifications.sort((a, b) => partOf(a) - partOf(b));

    const bodyLines = new Set(digest.body.split('\n'));
    notifications.forEach((notification, index) => {
      expect(notification.Subject).toBe(
        `certwatch: 1500 new alerts (1500 warning) (part ${index + 1} of ${total})`,
      );
      expect(Buffer.byteLength(notification.Message)).toBeLessThanOrEqual(SNS_MAX_MESSAGE_BYTES);
      const [header, blank, ...lines] = notification.Message.split('\n');
      expect(header).toBe(`[part ${index + 1} of ${total}]`);
      expect(blank).toBe('');
      // Every line of every part is a whole line of the digest: nothing was cut in half.
      for (const line of lines) expect(bodyLines.has(line)).toBe(true);
    });
    const rejoined = notifications.map((n) => n.Message.replace(/^\[part \d+ of \d+\]\n\n/, '')).join('');
    expect(rejoined).toBe(digest.body);
  });

  it('raises AlertDeliveryError naming the topic when the topic does not exist', async () => {
    const missing = `arn:aws:sns:us-east-1:${MOTO_ACCOUNT_ID}:no-such-topic`;
    const sink = createSnsSink(missing, motoClientConfig(moto.endpoint));
    const error = await sink.publishDigest({ subject: 'certwatch: test', body: 'test\n' }).catch((e) => e);
    expect(error).toBeInstanceOf(AlertDeliveryError);
    expect(error.name).toBe('AlertDeliveryError');
    expect(error.message).toContain(missing);
    expect(error.message).toContain('sns:Publish');
    expect(error.message).toMatch(/NotFound/);
    expect(error.cause).toBeInstanceOf(Error);
  });
});
