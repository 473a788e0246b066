/**
 * The digest: one plain-text message that tells a person what is new, what is still open, what to clean up and
 * which sources could not be read. Pure: no I/O, and the clock is the report's own `now`.
 *
 * Only fields of the report contract are printed; the report carries no PEM or key material and nothing here
 * adds any.
 */
import type { CertificateRecord, ScanReport, SourceFailure } from '../model';
import { compareFailures, compareUrgency } from '../report/order';
import type { AlertPlan, Severity } from './plan';

/** What a sink delivers: a one-line subject and a body for a plain-text email. */
export interface Digest {
  subject: string;
  body: string;
}

/** SNS (and most mail clients' single-line view) stop at 100 characters. */
export const SUBJECT_MAX_LENGTH = 100;

/** Lines are wrapped to stay under this width where the content allows (a single long word is left whole). */
const LINE_WIDTH = 96;
const MS_PER_DAY = 86_400_000;

/**
 * Shortens `text` to at most `max` characters, at a word boundary when one is near, ending in `...` (ASCII, so
 * the result stays valid where only ASCII is allowed). Never splits a surrogate pair.
 */
export function fitSubject(text: string, max = SUBJECT_MAX_LENGTH): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const ellipsis = '...';
  if (max <= ellipsis.length) return chars.slice(0, max).join('');
  let cut = chars.slice(0, max - ellipsis.length).join('');
  const space = cut.lastIndexOf(' ');
  // Prefer a whole word unless that would throw away most of the subject.
  if (space > max / 2) cut = cut.slice(0, space);
  return `${cut.replace(/[\s,;:(]+$/, '')}${ellipsis}`;
}

/** Severities of alerts, most severe first, with the heading each gets in "New this run". */
const SEVERITY_SECTIONS: readonly { severity: Severity; heading: string }[] = [
  { severity: 'expired', heading: 'Expired' },
  { severity: 'critical', heading: 'Critical' },
  { severity: 'warning', heading: 'Warning' },
];

/**
 * The digest of an alert plan: what is new this run (each certificate with what to do), what is still open
 * (alerted before, one line each), what to clean up, what a rule holds back, and what could not be checked.
 * Null when nothing is new and every source was read: a certificate alerts once per rung, not every run.
 */
export function buildAlertDigest(report: ScanReport, plan: AlertPlan): Digest | null {
  const incomplete = !report.complete || report.failures.length > 0;
  if (plan.toSend.length === 0 && !incomplete) return null;
  const counts = SEVERITY_SECTIONS.map(
    ({ severity }) => [severity, plan.toSend.filter((alert) => alert.severity === severity).length] as const,
  )
    .filter(([, count]) => count > 0)
    .map(([severity, count]) => `${count} ${severity}`);
  const failed = report.failures.length;
  const prefix = incomplete
    ? `certwatch: scan INCOMPLETE (${plural(failed, 'source')} failed); `
    : 'certwatch: ';
  const newPart =
    plan.toSend.length === 0
      ? 'no new alerts'
      : `${plural(plan.toSend.length, 'new alert')} (${counts.join(', ')})`;
  const open = plan.stillOpen.length > 0 ? `, ${plan.stillOpen.length} still open` : '';
  const subject = fitSubject(`${prefix}${newPart}${open}`);

  const lines: string[] = [`certwatch digest for the scan at ${formatInstant(report.now)}`];
  lines.push(
    `${plural(report.certificates.length, 'certificate')} checked: ${plan.toSend.length} new ` +
      `alert${plan.toSend.length === 1 ? '' : 's'}, ${plan.stillOpen.length} still open, ` +
      `${plan.cleanup.length} to clean up.`,
  );
  if (incomplete) {
    lines.push(
      `SCAN INCOMPLETE: ${plural(failed, 'source')} could not be checked (see "Could not check" below).`,
    );
  }
  if (plan.toSend.length > 0) {
    lines.push('', `== New this run (${plan.toSend.length}) ==`);
    for (const { severity, heading } of SEVERITY_SECTIONS) {
      const alerts = plan.toSend.filter((alert) => alert.severity === severity);
      alerts.sort((a, b) => compareUrgency(a.record, b.record));
      if (alerts.length === 0) continue;
      lines.push('', `-- ${heading} (${alerts.length}) --`);
      for (const alert of alerts) {
        lines.push(
          '',
          ...describeCertificate(alert.record, report.now),
          ...field('What to do', alert.action),
        );
      }
    }
  }
  if (plan.stillOpen.length > 0) {
    lines.push('', `== Still open (${plan.stillOpen.length}): alerted before, not yet fixed ==`, '');
    for (const alert of [...plan.stillOpen].sort((a, b) => compareUrgency(a.record, b.record))) {
      lines.push(...wrap(`* ${oneLine(alert.record, report.now)}`, '', '    '));
    }
  }
  if (plan.cleanup.length > 0) {
    lines.push('', `== Clean-up (${plan.cleanup.length}): not urgent, nobody is paged ==`, '');
    for (const { record, why } of [...plan.cleanup].sort((a, b) => compareUrgency(a.record, b.record))) {
      lines.push(...wrap(`* ${oneLine(record, report.now)}: ${why}`, '', '    '));
    }
  }
  if (plan.silenced.length > 0) {
    lines.push('', `== Held back by rules (${plan.silenced.length}) ==`, '');
    for (const { record, why } of plan.silenced)
      lines.push(...wrap(`* ${oneLine(record, report.now)}: ${why}`, '', '    '));
  }
  // One at a time: a huge failure list must not be spread into a single call.
  if (incomplete) for (const line of couldNotCheck(report)) lines.push(line);
  return { subject, body: `${lines.join('\n')}\n` };
}

/** `shop (ssl-1), ucloud/ulb cn-bj2 org-x, expires 2026-12-01 00:00:00 UTC, 5 days left` */
function oneLine(cert: CertificateRecord, now: string): string {
  const where = [`${cert.provider}/${cert.service}`, cert.region, cert.project].filter(Boolean).join(' ');
  const when =
    cert.notAfter === null
      ? 'expiry unknown'
      : `expires ${formatInstant(cert.notAfter)}, ${remaining(cert, now)}`;
  return `${cert.name} (${cert.id}), ${where}, ${when}`;
}

function describeCertificate(cert: CertificateRecord, now: string): string[] {
  const lines = [`* ${cert.name} (${cert.id})`];
  lines.push(...field('Provider', `${cert.provider} / ${cert.service}`));
  lines.push(...field('Location', location(cert.region, cert.project)));
  lines.push(...listField('Domains', cert.domains, '(none listed)'));
  if (cert.notAfter === null) {
    lines.push(...field('Expires', 'unknown'));
  } else {
    const when = remaining(cert, now);
    lines.push(...field('Expires', `${formatInstant(cert.notAfter)}, ${when} (from ${cert.expirySource})`));
    if (cert.leafNotAfter !== null && cert.leafNotAfter !== cert.notAfter) {
      lines.push(...field('Leaf expires', formatInstant(cert.leafNotAfter)));
    }
  }
  if (cert.inUse === false) {
    lines.push(...field('Bound to', 'not bound to any listener'));
  } else {
    const unknownBinding = cert.inUse === null ? '(unknown)' : '(in use; listener not named)';
    lines.push(...listField('Bound to', cert.boundTo, unknownBinding));
  }
  for (const note of cert.notes) lines.push(...field('Note', note));
  return lines;
}

/** The section every digest of an incomplete scan carries: what was not read, and that silence is no all-clear. */
function couldNotCheck(report: ScanReport): string[] {
  const lines = ['', `== Could not check (${plural(report.failures.length, 'source')}) ==`];
  lines.push(
    ...wrap(
      'This report is INCOMPLETE: certificates in these sources were not checked, so the absence of an ' +
        'alert for them must not be taken as "all clear".',
    ),
  );
  for (const failure of [...report.failures].sort(compareFailures))
    lines.push('', ...describeFailure(failure));
  return lines;
}

function describeFailure(failure: SourceFailure): string[] {
  return [
    `* ${failure.provider} / ${failure.service}`,
    ...field('Location', location(failure.region, failure.project)),
    ...field('Error', failure.message),
  ];
}

function location(region: string | null, project: string | null): string {
  const where = region ?? '(all regions)';
  return project === null ? where : `${where}, project ${project}`;
}

/** "12 days left", "expired 3 days ago", counted from the report's own clock. */
function remaining(cert: CertificateRecord, now: string): string {
  const notAfterMs = parseInstant(cert.notAfter ?? '');
  const nowMs = parseInstant(now);
  if (notAfterMs !== null && nowMs !== null && notAfterMs <= nowMs) {
    const daysAgo = Math.floor((nowMs - notAfterMs) / MS_PER_DAY);
    return daysAgo === 0 ? 'expired less than a day ago' : `expired ${plural(daysAgo, 'day')} ago`;
  }
  const days = cert.daysLeft;
  if (days === null) return 'days left unknown';
  if (days < 0) return `expired ${plural(-days, 'day')} ago`;
  return days === 0 ? 'less than a day left' : `${plural(days, 'day')} left`;
}

const LABEL_WIDTH = 14;

/** `  Label:       value`, with long values wrapped under the value column. */
function field(label: string, value: string): string[] {
  const prefix = `  ${`${label}:`.padEnd(LABEL_WIDTH)}`;
  return wrap(value, prefix, ' '.repeat(prefix.length));
}

/** A comma-separated list wrapped between items, so a domain name is never split across lines. */
function listField(label: string, items: readonly string[], empty: string): string[] {
  if (items.length === 0) return field(label, empty);
  const prefix = `  ${`${label}:`.padEnd(LABEL_WIDTH)}`;
  const indent = ' '.repeat(prefix.length);
  const lines: string[] = [];
  let line = prefix;
  items.forEach((item, index) => {
    const piece = index < items.length - 1 ? `${item},` : item;
    const atStart = line === prefix || line === indent;
    if (!atStart && line.length + 1 + piece.length > LINE_WIDTH) {
      lines.push(line);
      line = indent + piece;
    } else {
      line = atStart ? line + piece : `${line} ${piece}`;
    }
  });
  lines.push(line);
  return lines;
}

/** Word-wraps `text` (which may hold newlines) to LINE_WIDTH; a word longer than a line is kept whole. */
function wrap(text: string, firstPrefix = '', nextPrefix = firstPrefix): string[] {
  const lines: string[] = [];
  let prefix = firstPrefix;
  for (const paragraph of text.split(/\r?\n/)) {
    let line = prefix;
    let empty = true;
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (!empty && line.length + 1 + word.length > LINE_WIDTH) {
        lines.push(line);
        prefix = nextPrefix;
        line = prefix + word;
      } else {
        line = empty ? line + word : `${line} ${word}`;
      }
      empty = false;
    }
    lines.push(line.trimEnd());
    prefix = nextPrefix;
  }
  return lines;
}

/** `2026-12-01 00:00:00 UTC`; a value that is not an instant is shown as given rather than hidden. */
function formatInstant(iso: string): string {
  const ms = parseInstant(iso);
  if (ms === null) return iso;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Reads the report's ISO 8601 instants. Date.parse rather than luxon: a digest for a large fleet parses two
 * instants per certificate and luxon was most of its time. No offset means UTC, as in lib/expiry/instant.ts
 * (Date.parse alone would take the machine's zone).
 */
function parseInstant(text: string): number | null {
  const trimmed = text.trim();
  const match = ISO_INSTANT.exec(trimmed);
  if (!match) return null;
  const ms = Date.parse(match[1] === undefined ? `${trimmed}Z` : trimmed);
  return Number.isNaN(ms) ? null : ms;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
