/**
 * Appends alerts to a file: the digest as text, each structured alert as one JSON line. For the CLI (`certwatch
 * scan --out FILE`), where a cron job or a log shipper picks them up. A new file is created owner-only (0600); an
 * existing one keeps its mode; a symbolic link is refused rather than followed (lib/atomicFile.ts says why).
 */
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import type { TextDigest } from '../alerts/digest';
import type { AlertSink, AlertsResult, OutgoingAlert, PreviewedRequest } from '../alerts/sink';
import { PRIVATE_FILE_MODE, symlinkRefused } from '../atomicFile';
import { AlertDeliveryError, CertwatchError } from '../errors';
import { digestText } from './console';

export class FileSink implements AlertSink {
  readonly name = 'file';
  /** The file's path. */
  readonly destination: string;

  constructor(readonly path: string) {
    this.destination = path;
  }

  async publishDigest(digest: TextDigest): Promise<void> {
    const text = `${digestText(digest)}\n`;
    try {
      await appendTo(this.path, text);
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
      await appendTo(this.path, alerts.map((alert) => `${alert.message}\n`).join(''));
      return { sent: alerts.length, failed: [] };
    } catch (error) {
      return {
        sent: 0,
        failed: alerts.map((alert) => ({ id: alert.id, code: 'FileWrite', message: describe(error) })),
      };
    }
  }
}

/**
 * O_NOFOLLOW: opening a symbolic link fails (ELOOP on Linux and macOS, EMLINK on FreeBSD) instead of appending
 * wherever it points. Windows has no such flag, and no symbolic links a user makes by accident.
 * https://man7.org/linux/man-pages/man2/open.2.html
 */
const APPEND_FLAGS =
  constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0);

async function appendTo(path: string, text: string): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(path, APPEND_FLAGS, PRIVATE_FILE_MODE);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK') throw await symlinkRefused(path, 'appends alerts to a file');
    throw error;
  }
  try {
    await handle.writeFile(text, 'utf8');
  } finally {
    await handle.close();
  }
}

function describe(error: unknown): string {
  // Our own errors (a symbolic link refused) already say what to do.
  if (error instanceof CertwatchError) return error.message;
  if (error instanceof Error && 'code' in error)
    return `${String(error.code)} (check the path and permissions)`;
  return error instanceof Error ? error.message : String(error);
}
