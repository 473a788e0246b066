/**
 * What SNS delivery needs beyond the client: the size limit of a message, how SNS counts its bytes, and the error
 * a run fails with when messages were refused. The SNS client itself (snsSink.ts, snsBatch.ts) loads only when a
 * topic is configured, on the Lambda's first invocation rather than at its module init (npm run bench:coldstart).
 */
import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import { type AlertAttribute, type AlertsResult, MAX_ALERT_PAYLOAD_BYTES } from '../alerts/sink';
import { AlertDeliveryError } from '../errors';

/**
 * 256 KiB of UTF-8, body and attributes (counted by alertPayloadBytes): SNS's limit is the one the alert policy
 * keeps every structured alert within, and the size a digest is split to.
 */
export const SNS_MAX_MESSAGE_BYTES = MAX_ALERT_PAYLOAD_BYTES;

/** A structured alert's attributes as the SDK's MessageAttributes: the policy's shape is SNS's, field for field. */
export function snsMessageAttributes(
  attributes: Record<string, AlertAttribute>,
): Record<string, MessageAttributeValue> {
  const mapped: Record<string, MessageAttributeValue> = {};
  for (const [name, { DataType, StringValue }] of Object.entries(attributes)) {
    mapped[name] = { DataType, StringValue };
  }
  return mapped;
}

/**
 * The AlertDeliveryError for the messages PublishBatch did not take (`result.failed` is not empty): the topic,
 * the codes SNS gave and what to check.
 */
export function publishBatchError(result: AlertsResult, topicArn: string): AlertDeliveryError {
  const { failed, sent } = result;
  const codes = [...new Set(failed.map((failure) => failure.code))];
  const shownCodes =
    codes.slice(0, 3).join(', ') + (codes.length > 3 ? `, and ${codes.length - 3} more` : '');
  const first = failed[0]!;
  const region = topicArn.split(':')[3] || 'the topic region';
  return new AlertDeliveryError(
    `SNS PublishBatch to ${topicArn}: ${failed.length} of ${failed.length + sent} alert messages failed ` +
      `(${shownCodes}; first: ${first.id}: ${first.code}${first.message ? ` "${first.message}"` : ''}). ` +
      `Check that the function's role allows sns:Publish on this topic (it covers PublishBatch), that the topic ` +
      `ARN is right and the topic exists, and that the SNS client uses the topic's region (${region}).`,
  );
}

/**
 * Throws AlertDeliveryError when any message failed; call it after everything else was sent, so the run fails
 * loudly without holding back the alerts that could go out.
 */
export function throwIfFailed(result: AlertsResult, topicArn: string): void {
  if (result.failed.length > 0) throw publishBatchError(result, topicArn);
}
