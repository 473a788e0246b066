/**
 * The digest: one plain-text message that tells a person what is new, what is still open, what to clean up and
 * which sources could not be read. Pure: no I/O, and the clock is the report's own `now`.
 *
 * Only fields of the report contract are printed; the report carries no PEM or key material and nothing here
 * adds any.
 */
import { MS_PER_DAY, toIsoUtc } from '../expiry/instant';
import type { Severity } from '../expiry/status';
import type { CertificateRecord, ScanReport, SourceFailure } from '../model';
import { compareFailures, compareUrgency } from '../report/order';
import type { AlertPlan } from './plan';

/**
 * What a sink delivers: a one-line subject, the plain-text body, and the same content as data for channels that
 * render it their own way (an HTML email, a chat message). Every channel says the same things: the text body is
 * itself rendered from `content` (renderDigestText).
 */
export interface Digest {
  subject: string;
  body: string;
  content: DigestContent;
}

/** All a plain-text channel reads of a digest (SNS, the console, a file). */
export type TextDigest = Pick<Digest, 'subject' | 'body'>;

/** How an entry is coloured and grouped: the alert's severity, or what kind of line it is. */
export type DigestTone = Severity | 'open' | 'cleanup' | 'silenced' | 'failure';

/** A labelled value of an entry; `items` when the value is a list (domains, listeners), never split mid-item. */
export interface DigestField {
  label: string;
  value: string;
  items?: readonly string[];
}

/** One certificate (or one source that failed) as the digest tells it. */
export interface DigestEntry {
  /** `shop (ssl-1)`, or `ucloud / ulb` for a source that failed. */
  title: string;
  tone: DigestTone;
  /** The whole entry on one line, for lists: `shop (ssl-1), ucloud/ulb cn-bj2 org-x, expires ..., 5 days left`. */
  summary: string;
  /** The entry's details (new alerts and failures), `What to do` last for an alert. */
  fields: DigestField[];
}

export interface DigestGroup {
  /** `Expired (2)` within "New this run"; null where a section has one group. */
  heading: string | null;
  entries: DigestEntry[];
}

export interface DigestSection {
  kind: 'new' | 'open' | 'cleanup' | 'silenced' | 'failures';
  /** `New this run (3)`, `Still open (2): alerted before, not yet fixed`, ... */
  heading: string;
  /** A paragraph under the heading (why an incomplete scan is no all-clear). */
  intro: string | null;
  /** Whether entries are told with their fields (new alerts, failures) or on one line each. */
  detailed: boolean;
  groups: DigestGroup[];
}

export interface DigestContent {
  /** `certwatch digest for the scan at 2026-11-23 09:00:00 UTC` */
  title: string;
  /** The report's clock (ISO). */
  scannedAt: string;
  /** Whether every source was read; false: the digest says INCOMPLETE and lists what was not. */
  complete: boolean;
  /** Lines under the title: what was checked, and INCOMPLETE when it was not all. */
  summary: string[];
  /** Set when the alert history could not be used: some of this may have been sent before. */
  note: string | null;
  counts: {
    certificates: number;
    new: number;
    expired: number;
    critical: number;
    warning: number;
    stillOpen: number;
    cleanup: number;
    silenced: number;
    failures: number;
  };
  /** In order: new, still open, clean-up, held back by rules, could not check. Empty sections are left out. */
  sections: DigestSection[];
}

/** SNS (and most mail clients' single-line view) stop at 100 characters. */
export const SUBJECT_MAX_LENGTH = 100;

/** Lines are wrapped to stay under this width where the content allows (a single long word is left whole). */
const LINE_WIDTH = 96;

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
 * `stateProblem`, when the alert history could not be used, heads the digest.
 */
export function buildAlertDigest(
  report: ScanReport,
  plan: AlertPlan,
  stateProblem: string | null = null,
): Digest | null {
  const incomplete = !report.complete || report.failures.length > 0;
  if (plan.toSend.length === 0 && !incomplete) return null;
  const show: Shown = { nowMs: report.nowMs, accounts: spansAccounts(report) };
  const bySeverity = SEVERITY_SECTIONS.map(({ severity, heading }) => ({
    severity,
    heading,
    alerts: plan.toSend
      .filter((alert) => alert.severity === severity)
      .sort((a, b) => compareUrgency(a.record, b.record)),
  }));
  const counts = bySeverity
    .filter(({ alerts }) => alerts.length > 0)
    .map(({ severity, alerts }) => `${alerts.length} ${severity}`);
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

  const summary = [
    `${plural(report.certificates.length, 'certificate')} checked: ${plan.toSend.length} new ` +
      `alert${plan.toSend.length === 1 ? '' : 's'}, ${plan.stillOpen.length} still open, ` +
      `${plan.cleanup.length} to clean up.`,
  ];
  if (incomplete) {
    summary.push(
      `SCAN INCOMPLETE: ${plural(failed, 'source')} could not be checked (see "Could not check" below).`,
    );
  }
  const sections: DigestSection[] = [];
  if (plan.toSend.length > 0) {
    sections.push({
      kind: 'new',
      heading: `New this run (${plan.toSend.length})`,
      intro: null,
      detailed: true,
      groups: bySeverity
        .filter(({ alerts }) => alerts.length > 0)
        .map(({ heading, alerts }) => ({
          heading: `${heading} (${alerts.length})`,
          entries: alerts.map((alert) => ({
            title: `${alert.record.name} (${alert.record.id})`,
            tone: alert.severity,
            summary: oneLine(alert.record, show),
            fields: [
              ...describeCertificate(alert.record, show),
              { label: 'What to do', value: alert.action },
            ],
          })),
        })),
    });
  }
  if (plan.stillOpen.length > 0) {
    sections.push(
      listSection(
        'open',
        `Still open (${plan.stillOpen.length}): alerted before, not yet fixed`,
        [...plan.stillOpen]
          .sort((a, b) => compareUrgency(a.record, b.record))
          .map((alert) => listEntry(alert.record, alert.severity, show, null)),
      ),
    );
  }
  if (plan.cleanup.length > 0) {
    sections.push(
      listSection(
        'cleanup',
        `Clean-up (${plan.cleanup.length}): not urgent, nobody is paged`,
        [...plan.cleanup]
          .sort((a, b) => compareUrgency(a.record, b.record))
          .map(({ record, why }) => listEntry(record, 'cleanup', show, why)),
      ),
    );
  }
  if (plan.silenced.length > 0) {
    sections.push(
      listSection(
        'silenced',
        `Held back by rules (${plan.silenced.length})`,
        plan.silenced.map(({ record, why }) => listEntry(record, 'silenced', show, why)),
      ),
    );
  }
  if (incomplete) sections.push(couldNotCheck(report, show));
  const content: DigestContent = {
    title: `certwatch digest for the scan at ${formatInstant(report.nowMs)}`,
    scannedAt: toIsoUtc(report.nowMs),
    complete: !incomplete,
    summary,
    note:
      stateProblem === null
        ? null
        : `NOTE: the alert history could not be used (${stateProblem}). Everything due was sent; some of it ` +
          'may have been sent before.',
    counts: {
      certificates: report.certificates.length,
      new: plan.toSend.length,
      expired: bySeverity[0]!.alerts.length,
      critical: bySeverity[1]!.alerts.length,
      warning: bySeverity[2]!.alerts.length,
      stillOpen: plan.stillOpen.length,
      cleanup: plan.cleanup.length,
      silenced: plan.silenced.length,
      failures: failed,
    },
    sections,
  };
  return { subject, body: renderDigestText(content), content };
}

/**
 * The plain-text digest (an email's text part, an SNS message): sections headed `== ... ==`, new alerts with
 * their fields, everything else one wrapped line each.
 */
export function renderDigestText(content: DigestContent): string {
  const lines: string[] = [];
  if (content.note !== null) lines.push(content.note, '');
  lines.push(content.title, ...content.summary);
  for (const section of content.sections) {
    lines.push('', `== ${section.heading} ==`);
    if (section.intro !== null) lines.push(...wrap(section.intro));
    if (!section.detailed) lines.push('');
    for (const group of section.groups) {
      if (group.heading !== null) lines.push('', `-- ${group.heading} --`);
      // One at a time: a huge list must not be spread into a single call.
      for (const entry of group.entries) {
        if (!section.detailed) {
          for (const line of wrap(`* ${entry.summary}`, '', '    ')) lines.push(line);
          continue;
        }
        lines.push('', `* ${entry.title}`);
        for (const { label, value, items } of entry.fields) {
          lines.push(...(items && items.length > 0 ? listField(label, items) : field(label, value)));
        }
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

function listSection(kind: DigestSection['kind'], heading: string, entries: DigestEntry[]): DigestSection {
  return { kind, heading, intro: null, detailed: false, groups: [{ heading: null, entries }] };
}

/** How certificates are shown: the report's clock, and whether to name each one's account. */
interface Shown {
  nowMs: number;
  /** The report holds certificates of more than one account of a cloud (as the table's ACCOUNT column). */
  accounts: boolean;
}

/** Whether the report names more than one account: its certificates', and its failures' (an account not read). */
function spansAccounts(report: ScanReport): boolean {
  const names = new Set(
    [...report.certificates, ...report.failures].flatMap((item) => (item.account ? [item.account.name] : [])),
  );
  return names.size > 1;
}

function listEntry(
  record: CertificateRecord,
  tone: DigestTone,
  show: Shown,
  why: string | null,
): DigestEntry {
  const line = oneLine(record, show);
  return {
    title: `${record.name} (${record.id})`,
    tone,
    summary: why === null ? line : `${line}: ${why}`,
    fields: [...describeCertificate(record, show), ...(why === null ? [] : [{ label: 'Why', value: why }])],
  };
}

/**
 * `shop (ssl-1), ucloud/ulb cn-bj2 org-x, expires 2026-12-01 00:00:00 UTC, 5 days left`; with
 * `account shop-prod` after the region when the report spans accounts.
 */
function oneLine(cert: CertificateRecord, { nowMs, accounts }: Shown): string {
  const account = accounts && cert.account ? `account ${cert.account.name}` : null;
  const where = [`${cert.provider}/${cert.service}`, cert.region, account, cert.project]
    .filter(Boolean)
    .join(' ');
  const when =
    cert.notAfterMs === null
      ? 'expiry unknown'
      : `expires ${formatInstant(cert.notAfterMs)}, ${remaining(cert, nowMs)}`;
  return `${cert.name} (${cert.id}), ${where}, ${when}`;
}

function describeCertificate(cert: CertificateRecord, { nowMs, accounts }: Shown): DigestField[] {
  const fields: DigestField[] = [
    { label: 'Provider', value: `${cert.provider} / ${cert.service}` },
    ...(accounts && cert.account
      ? [
          {
            label: 'Account',
            value: cert.account.id ? `${cert.account.name} (${cert.account.id})` : cert.account.name,
          },
        ]
      : []),
    { label: 'Location', value: location(cert.region, cert.project) },
    listOf('Domains', cert.domains, '(none listed)'),
  ];
  if (cert.notAfterMs === null) {
    fields.push({ label: 'Expires', value: 'unknown' });
  } else {
    const when = remaining(cert, nowMs);
    fields.push({
      label: 'Expires',
      value: `${formatInstant(cert.notAfterMs)}, ${when} (from ${cert.expirySource})`,
    });
    if (cert.leafNotAfterMs !== null && cert.leafNotAfterMs !== cert.notAfterMs) {
      fields.push({ label: 'Leaf expires', value: formatInstant(cert.leafNotAfterMs) });
    }
  }
  if (cert.inUse === false) {
    fields.push({ label: 'Bound to', value: 'not bound to any listener' });
  } else {
    const unknownBinding = cert.inUse === null ? '(unknown)' : '(in use; listener not named)';
    fields.push(listOf('Bound to', cert.boundTo, unknownBinding));
  }
  for (const note of cert.notes) fields.push({ label: 'Note', value: note });
  return fields;
}

function listOf(label: string, items: readonly string[], empty: string): DigestField {
  return items.length === 0 ? { label, value: empty } : { label, value: items.join(', '), items };
}

/** The section every digest of an incomplete scan carries: what was not read, and that silence is no all-clear. */
function couldNotCheck(report: ScanReport, show: Shown): DigestSection {
  return {
    kind: 'failures',
    heading: `Could not check (${plural(report.failures.length, 'source')})`,
    intro:
      'This report is INCOMPLETE: certificates in these sources were not checked, so the absence of an ' +
      'alert for them must not be taken as "all clear".',
    detailed: true,
    groups: [
      {
        heading: null,
        entries: [...report.failures].sort(compareFailures).map((failure) => describeFailure(failure, show)),
      },
    ],
  };
}

function describeFailure(failure: SourceFailure, show: Shown): DigestEntry {
  const place = location(failure.region, failure.project);
  // A message that already starts with its account (a refused role's) is not told it again.
  const named = failure.account && !failure.message.startsWith(`account ${failure.account.name}:`);
  const where = show.accounts && named ? `${place}, account ${failure.account!.name}` : place;
  return {
    title: `${failure.provider} / ${failure.service}`,
    tone: 'failure',
    summary: `${failure.provider} / ${failure.service}, ${where}: ${failure.message}`,
    fields: [
      { label: 'Location', value: where },
      { label: 'Error', value: failure.message },
    ],
  };
}

function location(region: string | null, project: string | null): string {
  const where = region ?? '(all regions)';
  return project === null ? where : `${where}, project ${project}`;
}

/** "12 days left", "expired 3 days ago", counted from the report's own clock. */
function remaining(cert: CertificateRecord, nowMs: number): string {
  const { notAfterMs } = cert;
  if (notAfterMs !== null && notAfterMs <= nowMs) {
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
function listField(label: string, items: readonly string[]): string[] {
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

/** `2026-12-01 00:00:00 UTC`. */
function formatInstant(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
