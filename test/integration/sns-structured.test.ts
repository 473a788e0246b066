/**
 * Structured alerts against a real SNS API (moto_server): PublishBatch -> topic -> SQS subscriptions, some with
 * filter policies on the message attributes, as a subscriber that only wants some alerts would set them up.
 */
import { type PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CertificateAlert,
  type StructuredAlertBody,
  structuredMessage,
} from '../../lib/alerts/structured';
import { SnsBatchPublisher } from '../../lib/channels/snsBatch';
import { throwIfFailed } from '../../lib/channels/snsMessage';
import { AlertDeliveryError } from '../../lib/errors';
import type { Severity } from '../../lib/expiry/status';
import { MOTO_ACCOUNT_ID, type MotoServer, motoClientConfig, startMoto } from '../helpers/moto';
import { cert, NOW } from '../helpers/reports';
import { filteredQueue, type Notification, receive, topicWithQueue } from '../helpers/snsQueue';

/** The SNS envelope without raw delivery carries the attributes as `{ Type, Value }`. */
interface NotificationWithAttributes extends Notification {
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

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

/** 25 alerts, severities in turn; critical ones have 0-6 days left, expired ones fewer than 0, one unknown. */
function alerts(): CertificateAlert[] {
  const severities: Severity[] = ['warning', 'critical', 'expired'];
  return Array.from({ length: 25 }, (_, i) => {
    const severity = severities[i % 3]!;
    const daysLeft = i === 24 ? null : severity === 'warning' ? 10 + i : severity === 'critical' ? i % 7 : -i;
    return {
      record: cert({ id: `ssl-${i}`, name: `cert-${i}`, status: severity, daysLeft }),
      rung: severity === 'expired' ? 'expired' : severity === 'critical' ? 'd7' : 'd30',
      severity,
      kind: 'new',
      action: `Renew cert-${i} and bind it to ulb-ok/vserver-443.`,
    };
  });
}

function bodies(notifications: Notification[]): StructuredAlertBody[] {
  return notifications.map((n) => JSON.parse(n.Message) as StructuredAlertBody);
}

const ids = (list: { certificate: { id: string } }[]) => list.map((b) => b.certificate.id).sort();

describe('structured alerts over moto_server', () => {
  it('reach every subscriber, and filter policies pick by severity and by daysLeft', async () => {
    const { topicArn, queueUrl: allQueue } = await topicWithQueue(sns, sqs, 'certwatch-structured');
    const criticalQueue = await filteredQueue(sns, sqs, topicArn, 'certwatch-critical', {
      severity: ['critical'],
    });
    const soonQueue = await filteredQueue(sns, sqs, topicArn, 'certwatch-soon', {
      daysLeft: [{ numeric: ['<=', 7] }],
    });

    const sent = alerts();
    const outgoing = sent.map((alert) => ({
      id: `${alert.record.provider}/${alert.record.id}#${alert.rung}`,
      ...structuredMessage(alert, { generatedAt: NOW, scanId: 'scan-1' }),
    }));
    const result = await new SnsBatchPublisher(sns, topicArn).publishAll(outgoing);
    expect(result).toEqual({ sent: 25, failed: [] });
    throwIfFailed(result, topicArn);

    const everything = (await receive(sqs, allQueue, 25)) as NotificationWithAttributes[];
    expect(everything).toHaveLength(25);
    expect(ids(bodies(everything))).toEqual(ids(sent.map((a) => ({ certificate: a.record }))));

    const critical = sent.filter((a) => a.severity === 'critical');
    const criticalReceived = await receive(sqs, criticalQueue, critical.length);
    expect(ids(bodies(criticalReceived))).toEqual(ids(critical.map((a) => ({ certificate: a.record }))));
    expect(bodies(criticalReceived).every((b) => b.severity === 'critical')).toBe(true);
    expect(await receive(sqs, criticalQueue, 1, 1_500)).toEqual([]);

    // Numeric filter: critical (0-6) and expired (< 0) match; the unknown daysLeft has no attribute, so it doesn't.
    const soon = sent.filter((a) => a.record.daysLeft !== null && a.record.daysLeft <= 7);
    expect(soon.length).toBe(16);
    const soonReceived = await receive(sqs, soonQueue, soon.length);
    expect(ids(bodies(soonReceived))).toEqual(ids(soon.map((a) => ({ certificate: a.record }))));
    expect(await receive(sqs, soonQueue, 1, 1_500)).toEqual([]);

    // What a subscriber sees in the envelope (RawMessageDelivery false).
    const first = everything.find((n) => JSON.parse(n.Message).certificate.id === 'ssl-1');
    expect(first?.MessageAttributes).toEqual({
      severity: { Type: 'String', Value: 'critical' },
      provider: { Type: 'String', Value: 'ucloud' },
      service: { Type: 'String', Value: 'ulb' },
      region: { Type: 'String', Value: 'cn-bj2' },
      kind: { Type: 'String', Value: 'new' },
      daysLeft: { Type: 'Number', Value: '1' },
    });
    const unknown = everything.find((n) => JSON.parse(n.Message).certificate.id === 'ssl-24');
    expect(unknown?.MessageAttributes).not.toHaveProperty('daysLeft');
    const body = JSON.parse(first!.Message) as StructuredAlertBody;
    expect(body).toMatchObject({
      schema: 'certwatch.alert/1',
      generatedAt: NOW,
      scanId: 'scan-1',
      severity: 'critical',
      rung: 'd7',
      truncated: false,
    });
  });

  it('sends a trimmed near-256 KiB alert in a call of its own, and it arrives whole', async () => {
    const { topicArn, queueUrl } = await topicWithQueue(sns, sqs, 'certwatch-structured-large');
    const domains = Array.from({ length: 30_000 }, (_, i) => `host-${i}.shop.example.com`);
    const [small1, big, small2] = alerts();
    const outgoing = [small1!, { ...big!, record: { ...big!.record, domains } }, small2!].map((alert) => ({
      id: alert.record.id,
      ...structuredMessage(alert, { generatedAt: NOW }),
    }));
    const callSizes: number[] = [];
    const counting = {
      send: (command: PublishBatchCommand) => {
        callSizes.push(command.input.PublishBatchRequestEntries?.length ?? 0);
        return sns.send(command);
      },
    };

    expect(await new SnsBatchPublisher(counting, topicArn).publishAll(outgoing)).toEqual({
      sent: 3,
      failed: [],
    });
    // In order, greedily: the big one does not fit beside the first small one, nor the last beside it.
    expect(callSizes).toEqual([1, 1, 1]);

    const received = await receive(sqs, queueUrl, 3);
    const large = received.find((n) => n.Message === outgoing[1]!.message);
    const body = JSON.parse(large!.Message) as StructuredAlertBody;
    expect(body.truncated).toBe(true);
    expect(body.certificate.domains.length + (body.omitted?.domains ?? 0)).toBe(30_000);
  });

  it('reports every message to a missing topic as failed, and throwIfFailed names it', async () => {
    const missing = `arn:aws:sns:us-east-1:${MOTO_ACCOUNT_ID}:no-such-structured-topic`;
    const outgoing = alerts()
      .slice(0, 12)
      .map((alert) => ({ id: alert.record.id, ...structuredMessage(alert, { generatedAt: NOW }) }));
    const result = await new SnsBatchPublisher(sns, missing, { sleep: async () => {} }).publishAll(outgoing);

    expect(result.sent).toBe(0);
    expect(result.failed).toHaveLength(12);
    expect(result.failed[0]?.code).toMatch(/NotFound/);
    const error = (() => {
      try {
        throwIfFailed(result, missing);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(AlertDeliveryError);
    expect((error as Error).message).toContain(missing);
    expect((error as Error).message).toContain('12 of 12');
    expect((error as Error).message).toMatch(/NotFound/);
  });
});
