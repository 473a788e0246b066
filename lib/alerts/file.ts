/**
 * Appends alerts to a file: the digest as text, each structured alert as one JSON line. For the CLI (`certwatch
 * scan --out FILE`), where a cron job or a log shipper picks them up.
 */
import { appendFile } from 'node:fs/promises';
import { AlertDeliveryError } from '../errors';
import type { TextDigest } from './digest';
import type { AlertSink, AlertsResult, OutgoingAlert } from './sink';

export class FileSink implements AlertSink {
  readonly name = 'file';

  constructor(readonly path: string) {}

  async publishDigest(digest: TextDigest): Promise<void> {
    const text = `Subject: ${digest.subject}\n${'-'.repeat(72)}\n${digest.body.replace(/\n?$/, '\n')}\n`;
    try {
      await appendFile(this.path, text, 'utf8');
    } catch (error) {
      throw new AlertDeliveryError(`Could not write the digest to ${this.path}: ${describe(error)}`, {
        cause: error,
      });
    }
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
