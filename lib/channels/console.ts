/**
 * Prints digests to a stream: the sink for local runs and for deployments without an SNS topic, where the text
 * lands in the function's log.
 */

import type { TextDigest } from '../alerts/digest';
import type { AlertSink, AlertsResult, OutgoingAlert, PreviewedRequest } from '../alerts/sink';
import { AlertDeliveryError } from '../errors';

/** The one method of a writable stream this sink uses; process.stdout, a file stream or a test buffer. */
export interface TextStream {
  write(chunk: string, callback: (error?: Error | null) => void): boolean;
}

export class ConsoleSink implements AlertSink {
  readonly name = 'console';
  readonly #stream: TextStream;

  readonly #alertsAsJson: boolean;
  /** Set when the console prints beside another channel that keeps the unscoped history (sink.ts). */
  readonly historyScope?: string;

  /**
   * `alertsAsJson: false` prints one summary line for the structured alerts instead of each JSON message;
   * `historyScope` gives the console a history of its own.
   */
  constructor(
    stream: TextStream = process.stdout,
    options: { alertsAsJson?: boolean; historyScope?: string } = {},
  ) {
    this.#stream = stream;
    this.#alertsAsJson = options.alertsAsJson ?? true;
    if (options.historyScope) this.historyScope = options.historyScope;
  }

  /** One JSON line per alert, as a subscriber would receive it. */
  async publishAlerts(alerts: readonly OutgoingAlert[]): Promise<AlertsResult> {
    if (alerts.length === 0) return { sent: 0, failed: [] };
    try {
      await this.write(this.#alertsText(alerts));
      return { sent: alerts.length, failed: [] };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { sent: 0, failed: alerts.map((alert) => ({ id: alert.id, code: 'ConsoleWrite', message })) };
    }
  }

  /** Writes the subject, a rule and the body; resolves when the stream has taken the text. */
  publishDigest(digest: TextDigest): Promise<void> {
    return this.write(digestText(digest)).catch((error: unknown) => {
      throw new AlertDeliveryError(
        `Could not write the digest to the console: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    });
  }

  /** The text it would print. */
  preview(digest: TextDigest | null, alerts: readonly OutgoingAlert[]): PreviewedRequest[] {
    const text = (digest ? digestText(digest) : '') + (alerts.length > 0 ? this.#alertsText(alerts) : '');
    return text === '' ? [] : [{ to: 'this console', body: text }];
  }

  #alertsText(alerts: readonly OutgoingAlert[]): string {
    return this.#alertsAsJson
      ? `\n${alerts.length} structured alert(s):\n${alerts.map((alert) => `${alert.message}\n`).join('')}`
      : `\n(${alerts.length} structured alert(s), one JSON message per certificate, would go to SNS subscribers ` +
          'beside this digest, filterable by severity, provider, service, region and daysLeft.)\n';
  }

  private write(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      try {
        this.#stream.write(text, (error) => (error ? reject(error) : resolve()));
      } catch (error) {
        reject(error);
      }
    });
  }
}

/** A digest as printed: the subject, a rule, the body. */
export function digestText(digest: TextDigest): string {
  return `Subject: ${digest.subject}\n${'-'.repeat(72)}\n${digest.body.replace(/\n?$/, '\n')}`;
}
