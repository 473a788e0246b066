/**
 * Appends alerts to a file: the digest as text, each structured alert as one JSON line. For the CLI (`certwatch
 * scan --out FILE`), where a cron job or a log shipper picks them up.
 */
import { appendFile } from 'node:fs/promises';
import { AlertDeliveryError } from '../errors';
import { digestText } from './console';
import type { TextDigest } from './digest';
import type { AlertSink, AlertsResult, OutgoingAlert, PreviewedRequest } from './sink';

export class FileSink implements AlertSink {
  readonly name = 'file';

  constructor(readonly path: string) {}

  async publishDigest(digest: TextDigest): Promise<void> {
    const text = `${digestText(digest)}\n`;
    try {
      await appendFile(this.path, text, 'utf8');
    } catch (error) {
      throw new AlertDeliveryError(`Could not write the digest to ${this.path}: ${describe(error)}`, {
        cause: error,
      });
    }
  }

  /** What it would append: the digest's text, then one JSON line per alert. */
  preview(digest: TextDigest | null, alerts: readonly OutgoingAlert[]): PreviewedRequest[] {
    const text =
      (digest ? `${digestText(digest)}\n` : '') + alerts.map((alert) => `${alert.message}\n`).join('');
    return text === '' ? [] : [{ to: `append to ${this.path}`, body: text }];
  }

  async publishAlerts(alerts: readonly OutgoingAlert[]): Promise<AlertsResult> {
    if (alerts.length === 0) return { sent: 0, failed: [] };
    try {
      await appendFile(this.path, alerts.map((alert) => `${alert.message}\n`).join(''), 'utf8');
      return { sent: alerts.length, failed: [] };
    } catch (error) {
      return {
        sent: 0,
        failed: alerts.map((alert) => ({ id: alert.id, code: 'FileWrite', message: describe(error) })),
      };
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error && 'code' in error)
    return `${String(error.code)} (check the path and permissions)`;
  return error instanceof Error ? error.message : String(error);
}
