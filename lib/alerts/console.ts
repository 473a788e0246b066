/**
 * Prints digests to a stream: the sink for local runs and for deployments without an SNS topic, where the text
 * lands in the function's log.
 */
import { AlertDeliveryError } from '../errors';
import type { TextDigest } from './digest';
import type { AlertSink, AlertsResult, OutgoingAlert } from './sink';

/** The one method of a writable stream this sink uses; process.stdout, a file stream or a test buffer. */
export interface TextStream {
  write(chunk: string, callback: (error?: Error | null) => void): boolean;
}

export class ConsoleSink implements AlertSink {
  readonly name = 'console';
  readonly #stream: TextStream;

  readonly #alertsAsJson: boolean;

  /** `alertsAsJson: false` prints one summary line for the structured alerts instead of each JSON message. */
  constructor(stream: TextStream = process.stdout, options: { alertsAsJson?: boolean } = {}) {
    this.#stream = stream;
    this.#alertsAsJson = options.alertsAsJson ?? true;
  }

  /** One JSON line per alert, as a subscriber would receive it. */
  async publishAlerts(alerts: readonly OutgoingAlert[]): Promise<AlertsResult> {
    if (alerts.length === 0) return { sent: 0, failed: [] };
    const text = this.#alertsAsJson
      ? `\n${alerts.length} structured alert(s):\n${alerts.map((alert) => `${alert.message}\n`).join('')}`
      : `\n(${alerts.length} structured alert(s), one JSON message per certificate, would go to SNS subscribers ` +
        'beside this digest, filterable by severity, provider, service, region and daysLeft.)\n';
    try {
      await this.write(text);
      return { sent: alerts.length, failed: [] };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { sent: 0, failed: alerts.map((alert) => ({ id: alert.id, code: 'ConsoleWrite', message })) };
    }
  }

  /** Writes the subject, a rule and the body; resolves when the stream has taken the text. */
  publishDigest(digest: TextDigest): Promise<void> {
    const text = `Subject: ${digest.subject}\n${'-'.repeat(72)}\n${digest.body.replace(/\n?$/, '\n')}`;
    return this.write(text).catch((error: unknown) => {
      throw new AlertDeliveryError(
        `Could not write the digest to the console: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    });
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
