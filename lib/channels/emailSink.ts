/**
 * Delivers the digest as an email through Amazon SES v2 `SendEmail`: one message with a plain-text part (the
 * digest's body) and an HTML part (emailHtml.ts), built by SES from `Content.Simple`. People read the digest, so
 * this channel has no per-certificate messages.
 *
 * SES limits used here (https://docs.aws.amazon.com/ses/latest/dg/quotas.html):
 * - at most 50 recipients per message (To, CC and BCC together): longer lists are sent in groups of 50, in order;
 * - at most 40 MB per message through the v2 API, after base64 encoding: a digest whose HTML part would take it
 *   over is sent with its text part alone (the text says everything), and one too large even so is refused
 *   before anything is sent.
 * The subject is kept to 100 characters without line breaks (digest.ts SUBJECT_MAX_LENGTH), which SES does not
 * require but inboxes cut at. Throttling (TooManyRequestsException) and 5xx answers are retried by the SDK's
 * standard retry strategy.
 */
import {
  SESv2Client,
  type SESv2ClientConfig,
  SendEmailCommand,
  type SendEmailCommandInput,
  type SendEmailCommandOutput,
} from '@aws-sdk/client-sesv2';
import { type Digest, fitSubject, SUBJECT_MAX_LENGTH } from '../alerts/digest';
import type { AlertSink, OutgoingAlert, PreviewedRequest } from '../alerts/sink';
import { AlertDeliveryError } from '../errors';
import { describeAwsError } from './awsError';
import { renderDigestHtml } from './emailHtml';

/** Recipients SES takes in one message (To, CC and BCC together). */
export const SES_MAX_RECIPIENTS = 50;
/** Largest message the SES v2 API takes, after base64 encoding. */
export const SES_MAX_MESSAGE_BYTES = 40 * 1024 * 1024;
/** Room left for the headers SES adds (From, To with up to 50 addresses, Subject, MIME boundaries). */
const HEADER_ALLOWANCE_BYTES = 64 * 1024;
const CHARSET = 'UTF-8';

/** The one SES call the sink makes: SESv2Client satisfies it, and so does a hand-written fake in tests. */
export interface SesSendEmailClient {
  send(command: SendEmailCommand): Promise<SendEmailCommandOutput>;
}

export interface SesEmailSinkOptions {
  /** The sender: an address (or `Name <address>`) of an identity verified in SES. */
  from: string;
  /** The recipients, in the order they are grouped in; not empty. */
  to: readonly string[];
  client: SesSendEmailClient;
  /** Largest message in bytes after encoding; lowered only by tests. Default {@link SES_MAX_MESSAGE_BYTES}. */
  maxMessageBytes?: number;
}

export class SesEmailSink implements AlertSink {
  readonly name = 'email';
  readonly historyScope = 'email';
  readonly from: string;
  readonly to: readonly string[];
  readonly #client: SesSendEmailClient;
  readonly #maxMessageBytes: number;

  constructor(options: SesEmailSinkOptions) {
    this.from = options.from;
    this.to = [...options.to];
    this.#client = options.client;
    this.#maxMessageBytes = options.maxMessageBytes ?? SES_MAX_MESSAGE_BYTES;
  }

  /**
   * Sends the digest, one message per group of at most 50 recipients, in order. If a group fails, the error
   * names it and the groups already delivered.
   */
  async publishDigest(digest: Digest): Promise<void> {
    const requests = this.#requests(digest);
    for (const [index, input] of requests.entries()) {
      try {
        await this.#client.send(new SendEmailCommand(input));
      } catch (error) {
        throw this.#deliveryError(error, index, requests.length);
      }
    }
  }

  /** The SendEmail calls this digest makes, each with its subject and both parts as they are sent. */
  preview(digest: Digest | null, _alerts: readonly OutgoingAlert[]): PreviewedRequest[] {
    if (!digest) return [];
    return this.#requests(digest).map((input) => ({
      to: `SES SendEmail from ${this.from} to ${(input.Destination?.ToAddresses ?? []).join(', ')}`,
      body: previewBody(input),
    }));
  }

  #requests(digest: Digest): SendEmailCommandInput[] {
    const content = emailContent(digest, this.#maxMessageBytes);
    return recipientGroups(this.to).map((group) => ({
      FromEmailAddress: this.from,
      Destination: { ToAddresses: group },
      Content: content,
    }));
  }

  #deliveryError(error: unknown, index: number, groups: number): AlertDeliveryError {
    const first = index * SES_MAX_RECIPIENTS + 1;
    const last = Math.min((index + 1) * SES_MAX_RECIPIENTS, this.to.length);
    const recipients =
      groups === 1
        ? nameRecipients(this.to)
        : `recipients ${first}-${last} of ${this.to.length} (group ${index + 1} of ${groups}` +
          (index > 0 ? `; recipients 1-${first - 1} were sent the digest)` : ')');
    return new AlertDeliveryError(
      `SES SendEmail from ${this.from} to ${recipients} failed: ${describeAwsError(error)}. Check that the ` +
        `sender identity (${this.from}, or its domain) is verified in SES in the region certwatch sends from, ` +
        "that the function's role allows ses:SendEmail on that identity, and, while the account is in the SES " +
        'sandbox, that every recipient is verified too (CERTWATCH_EMAIL_FROM, CERTWATCH_EMAIL_TO).',
      { cause: error },
    );
  }
}

/**
 * An SesEmailSink over a new SESv2Client. The SDK resolves region, credentials and endpoint itself (AWS_REGION,
 * the Lambda role, AWS_ENDPOINT_URL_SESV2); `clientConfig` overrides them, as tests do to reach moto_server.
 */
export function createSesEmailSink(options: {
  from: string;
  to: readonly string[];
  clientConfig?: SESv2ClientConfig;
}): SesEmailSink {
  return new SesEmailSink({
    from: options.from,
    to: options.to,
    client: new SESv2Client(options.clientConfig ?? {}),
  });
}

/** A subject any mail client shows on one line: no line breaks, control or bidi characters, ≤ 100 characters. */
export function emailSubject(subject: string): string {
  const clean = subject
    .replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, '')
    .replace(/[\p{Cc}\p{Zl}\p{Zp}\s]+/gu, ' ')
    .trim();
  return fitSubject(clean || 'certwatch alert', SUBJECT_MAX_LENGTH);
}

/** A few recipients by address; a longer list by its count and first address, so the error stays readable. */
function nameRecipients(to: readonly string[]): string {
  return to.length <= 3 ? to.join(', ') : `${to.length} recipients (${to[0]}, ...)`;
}

/** `to` in groups of at most 50, in order. */
export function recipientGroups(to: readonly string[]): string[][] {
  const groups: string[][] = [];
  for (let start = 0; start < to.length; start += SES_MAX_RECIPIENTS) {
    groups.push(to.slice(start, start + SES_MAX_RECIPIENTS));
  }
  return groups;
}

/** The message SES builds: subject, text part and, when the message stays within the size limit, HTML part. */
function emailContent(digest: Digest, maxMessageBytes: number): SendEmailCommandInput['Content'] {
  const subject = emailSubject(digest.subject);
  const text = { Data: digest.body, Charset: CHARSET };
  const html = { Data: renderDigestHtml(digest.content, subject), Charset: CHARSET };
  const budget = maxMessageBytes - HEADER_ALLOWANCE_BYTES;
  const textBytes = encodedBytes(text.Data);
  if (textBytes > budget) {
    throw new AlertDeliveryError(
      `The email digest is too large for SES (about ${megabytes(textBytes)} MB encoded, over the ` +
        `${megabytes(maxMessageBytes)} MB a message may be): nothing was sent. Use SNS or narrow the scan.`,
    );
  }
  const body = textBytes + encodedBytes(html.Data) > budget ? { Text: text } : { Text: text, Html: html };
  return { Simple: { Subject: { Data: subject, Charset: CHARSET }, Body: body } };
}

/** Bytes of a part once base64-encoded in lines of 76 characters: what SES counts against its size limit. */
function encodedBytes(text: string): number {
  const base64 = Math.ceil(Buffer.byteLength(text, 'utf8') / 3) * 4;
  return base64 + Math.ceil(base64 / 76) * 2;
}

function megabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

function previewBody(input: SendEmailCommandInput): string {
  const simple = input.Content?.Simple;
  const parts = [`Subject: ${simple?.Subject?.Data ?? ''}`];
  if (simple?.Body?.Text) parts.push(`--- text/plain; charset=${CHARSET} ---`, simple.Body.Text.Data ?? '');
  if (simple?.Body?.Html) parts.push(`--- text/html; charset=${CHARSET} ---`, simple.Body.Html.Data ?? '');
  return parts.join('\n');
}
