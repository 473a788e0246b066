/**
 * The audit as an iCalendar file (RFC 5545) to import or subscribe to: one all-day event on the UTC date each
 * certificate expires, with a reminder at the alert ladder's first rung still ahead. Each event's UID is derived
 * from where the certificate lives (provider, service, region, project, id), so importing a newer audit updates
 * the events instead of adding copies. Pure: the report in, text out.
 */
import { createHash } from 'node:crypto';
import { MS_PER_DAY, toIsoUtc } from '../expiry/instant';
import type { CertificateRecord, ScanReport } from '../model';

export interface IcsOptions {
  /**
   * The alert ladder's day rungs (config `alerting.ladder.days`, largest first). Each event gets a reminder at the
   * largest rung whose moment is still after the report's `now` (a reminder already in the past would only pop up
   * as overdue); none when every rung has passed or the certificate has expired. Default: no reminders.
   */
  alarmDays?: readonly number[];
}

/** Identifies certwatch's calendars (RFC 5545 §3.7.3). */
export const ICS_PRODID = '-//certwatch//certwatch audit//EN';

export function renderIcs(report: ScanReport, options: IcsOptions = {}): string {
  const lines = [
    'BEGIN:VCALENDAR',
    `PRODID:${ICS_PRODID}`,
    'VERSION:2.0',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'X-WR-CALNAME:certwatch: certificate expiries',
  ];
  for (const record of report.certificates) {
    if (record.notAfterMs === null) continue;
    lines.push(
      ...event(record, record.notAfterMs, report.generatedAtMs, report.nowMs, options.alarmDays ?? []),
    );
  }
  lines.push('END:VCALENDAR');
  return lines.map((line) => `${foldLine(line)}\r\n`).join('');
}

function event(
  record: CertificateRecord,
  expiresMs: number,
  generatedAtMs: number,
  nowMs: number,
  alarmDays: readonly number[],
): string[] {
  const expired = record.status === 'expired' || expiresMs <= nowMs;
  const where = [record.provider, record.service, record.region].join(' ');
  const summary = expired
    ? `EXPIRED: certificate ${record.name} expired (${where})`
    : `certificate ${record.name} expires (${where})`;
  const lines = [
    'BEGIN:VEVENT',
    `UID:${icsUid(record)}`,
    `DTSTAMP:${icsDateTime(generatedAtMs)}`,
    `DTSTART;VALUE=DATE:${icsDate(expiresMs)}`,
    // A certificate valid "forever" (RFC 5280's 99991231235959Z) has no next day to end on; an all-day event
    // without DTEND lasts one day anyway (RFC 5545 3.6.1).
    ...(expiresMs + MS_PER_DAY <= END_OF_9999_MS
      ? [`DTEND;VALUE=DATE:${icsDate(expiresMs + MS_PER_DAY)}`]
      : []),
    `SUMMARY:${icsText(summary)}`,
    `DESCRIPTION:${icsText(description(record, expiresMs))}`,
    `CATEGORIES:certwatch,${icsText(record.status)}`,
    // An expiry is a deadline, not a meeting: it does not make anyone busy.
    'TRANSP:TRANSPARENT',
  ];
  const days = expired ? undefined : alarmDays.find((d) => expiresMs - d * MS_PER_DAY > nowMs);
  if (days !== undefined) {
    lines.push(
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      `DESCRIPTION:${icsText(`certificate ${record.name} expires in ${days} days (${where})`)}`,
      `TRIGGER:-P${days}D`,
      'END:VALARM',
    );
  }
  lines.push('END:VEVENT');
  return lines;
}

function description(record: CertificateRecord, expiresMs: number): string {
  const bound =
    record.inUse === null ? 'unknown' : record.inUse ? record.boundTo.join('; ') || 'in use' : 'not bound';
  return [
    `Expires ${toIsoUtc(expiresMs)} (${record.daysLeft ?? '?'} days left at the audit, status ${record.status})`,
    `Domains: ${record.domains.join(', ') || 'none'}`,
    `Bound to: ${bound}`,
    `Where: ${record.provider}/${record.service} ${record.region}${record.project ? ` project ${record.project}` : ''} id ${record.id}`,
    `Expiry from: ${record.expirySource}`,
    ...(record.fingerprintSha256 ? [`SHA-256: ${record.fingerprintSha256}`] : []),
    ...(record.notes.length > 0 ? [`Notes: ${record.notes.join('; ')}`] : []),
  ].join('\n');
}

/** A stable UID for a certificate: the SHA-1 of where it lives, so the same certificate keeps its event. */
export function icsUid(
  record: Pick<CertificateRecord, 'provider' | 'service' | 'region' | 'project' | 'id'>,
) {
  const key = JSON.stringify([record.provider, record.service, record.region, record.project, record.id]);
  return `${createHash('sha1').update(key, 'utf8').digest('hex')}@certwatch`;
}

/**
 * TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks. Other control characters
 * are not allowed in a TEXT value and become U+FFFD.
 */
export function icsText(text: string): string {
  return (
    text
      .replace(/[\\;,]/g, (c) => `\\${c}`)
      .replace(/\r\n|\r|\n/g, '\\n')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: finding the controls TEXT forbids is the point
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '\uFFFD')
  );
}

/**
 * Folds a content line at 75 octets (RFC 5545 §3.1): each continuation starts with one space. Counts UTF-8
 * bytes and never splits a character.
 */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    // The first line holds 75 octets; a continuation holds 74 after its leading space.
    if (octets + size > (parts.length === 0 ? 75 : 74)) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

/** The last instant whose day a DATE value can name (9999-12-31). */
const END_OF_9999_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function icsDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10).replaceAll('-', '');
}

function icsDateTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}
