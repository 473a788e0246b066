/**
 * The digest as an HTML email: the same content as the text part (digest.ts `renderDigestText`), laid out as
 * tables with each entry's tone coloured. Pure: rendered from `content` alone.
 *
 * Built for what mail clients keep (Gmail drops <style> in many views, Outlook for Windows renders with Word):
 * every style that matters is inline, the layout is nested tables marked role="presentation", the message is at
 * most 760 px wide, text is in the system font stack, and colour is never the only signal (each entry has a
 * labelled badge). Nothing is fetched when it opens: no script, no image, no web font, no link.
 *
 * Everything from a provider (names, ids, domains, listeners, notes, error messages) is escaped for HTML text
 * and attribute contexts (`escapeHtml`, shared with the HTML report); only this file's own constants reach an
 * attribute.
 */

import type { DigestContent, DigestEntry, DigestField, DigestSection, DigestTone } from '../alerts/digest';
import { escapeHtml } from '../report/html';

/** Widest the message is laid out; narrower screens shrink it (width:100%). */
export const EMAIL_MAX_WIDTH_PX = 760;

const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif";
const TEXT = '#1f2937';
const MUTED = '#6b7280';
const LINE = '#e5e7eb';
/** Long names and domains wrap instead of widening the message. */
const BREAK = 'word-break:break-word;overflow-wrap:anywhere;';

interface ToneStyle {
  /** Badge label: colour is never the only signal. */
  label: string;
  /** Badge background and the row's left border; white text on it keeps at least 4.5:1 contrast. */
  accent: string;
  /** Row background. */
  tint: string;
}

/** Severities in the HTML report's colours (lib/report/html.ts), the other tones apart from them. */
export const TONE_STYLES: Readonly<Record<DigestTone, ToneStyle>> = {
  expired: { label: 'EXPIRED', accent: '#7f1d1d', tint: '#fdecec' },
  critical: { label: 'CRITICAL', accent: '#c81e1e', tint: '#fef2f2' },
  warning: { label: 'WARNING', accent: '#b45309', tint: '#fffbeb' },
  open: { label: 'OPEN', accent: '#1d4ed8', tint: '#eff6ff' },
  cleanup: { label: 'CLEAN-UP', accent: '#0f766e', tint: '#f0fdfa' },
  silenced: { label: 'HELD BACK', accent: '#4b5563', tint: '#f9fafb' },
  failure: { label: 'NOT CHECKED', accent: '#7e22ce', tint: '#faf5ff' },
};

/** The colour of each section's heading rule: the tone its entries share, or the most severe it may hold. */
const SECTION_ACCENT: Readonly<Record<DigestSection['kind'], string>> = {
  new: TONE_STYLES.critical.accent,
  open: TONE_STYLES.open.accent,
  cleanup: TONE_STYLES.cleanup.accent,
  silenced: TONE_STYLES.silenced.accent,
  failures: TONE_STYLES.failure.accent,
};

/** The field whose value is the action: shown bold in the entry's colour, as the text digest lists it last. */
const ACTION_LABEL = 'What to do';

/** Renders the digest as a complete HTML email document. `subject` becomes its <title>. */
export function renderDigestHtml(content: DigestContent, subject: string): string {
  const rows: string[] = [header(content)];
  if (content.note !== null) rows.push(banner('NOTE', [content.note], '#92400e', '#fffbeb', '#fcd34d'));
  if (!content.complete) rows.push(incompleteBanner(content));
  rows.push(counts(content));
  for (const section of content.sections) rows.push(renderSection(section));
  rows.push(footer());
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light">',
    '<meta name="supported-color-schemes" content="light">',
    `<title>${escapeHtml(subject)}</title>`,
    '</head>',
    `<body style="margin:0;padding:0;background-color:#f3f4f6;color:${TEXT};font-family:${FONT};">`,
    // The inbox preview line: the first summary line rather than whatever text comes first.
    `<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;font-size:1px;line-height:1px;color:#f3f4f6;">${escapeHtml(
      content.summary[0] ?? content.title,
    )}</div>`,
    '<table role="presentation" width="100%" cellspacing="0" cellpadding="0" border="0" ' +
      'style="border-collapse:collapse;background-color:#f3f4f6;">',
    '<tr><td align="center" style="padding:24px 12px;">',
    `<table role="presentation" width="${EMAIL_MAX_WIDTH_PX}" cellspacing="0" cellpadding="0" border="0" ` +
      `style="border-collapse:collapse;width:100%;max-width:${EMAIL_MAX_WIDTH_PX}px;background-color:#ffffff;` +
      `border:1px solid ${LINE};font-family:${FONT};color:${TEXT};">`,
    ...rows,
    '</table>',
    '</td></tr>',
    '</table>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function header(content: DigestContent): string {
  // An incomplete scan's summary lines after the first say so; the banner below tells them instead.
  const lines = content.complete ? content.summary : content.summary.slice(0, 1);
  return cell(
    `<h1 style="margin:0 0 8px;font-size:20px;line-height:1.3;color:#111827;font-weight:700;">${escapeHtml(
      content.title,
    )}</h1>` +
      lines
        .map((line) => `<p style="margin:0 0 4px;font-size:14px;line-height:1.5;">${escapeHtml(line)}</p>`)
        .join(''),
    `padding:20px 24px 12px;border-top:4px solid ${TEXT};`,
  );
}

function incompleteBanner(content: DigestContent): string {
  const said = content.summary.slice(1);
  return banner(
    'SCAN INCOMPLETE',
    said.length > 0 ? said : ['Some sources could not be checked: see "Could not check" below.'],
    '#991b1b',
    '#fef2f2',
    '#fca5a5',
  );
}

function banner(label: string, lines: readonly string[], colour: string, background: string, border: string) {
  return cell(
    '<table role="presentation" width="100%" cellspacing="0" cellpadding="0" border="0" ' +
      'style="border-collapse:collapse;">' +
      `<tr><td style="background-color:${background};border:1px solid ${border};border-left:6px solid ${colour};` +
      `padding:10px 14px;color:${colour};font-size:14px;line-height:1.5;">` +
      `<strong style="display:block;font-size:13px;letter-spacing:.06em;">${escapeHtml(label)}</strong>` +
      // `SCAN INCOMPLETE: 2 sources...` under the label SCAN INCOMPLETE: say it once.
      lines.map((line) => `<div>${escapeHtml(withoutPrefix(line, `${label}: `))}</div>`).join('') +
      '</td></tr></table>',
    'padding:4px 24px 8px;',
  );
}

function withoutPrefix(text: string, prefix: string): string {
  return text.startsWith(prefix) ? text.slice(prefix.length) : text;
}

/** The counts as a strip of figures; only those that are not zero, after the number of certificates checked. */
function counts(content: DigestContent): string {
  const { counts: c } = content;
  const figures: { value: number; label: string; colour: string }[] = [
    { value: c.certificates, label: 'checked', colour: TEXT },
    { value: c.expired, label: 'new expired', colour: TONE_STYLES.expired.accent },
    { value: c.critical, label: 'new critical', colour: TONE_STYLES.critical.accent },
    { value: c.warning, label: 'new warning', colour: TONE_STYLES.warning.accent },
    { value: c.stillOpen, label: 'still open', colour: TONE_STYLES.open.accent },
    { value: c.cleanup, label: 'to clean up', colour: TONE_STYLES.cleanup.accent },
    { value: c.silenced, label: 'held back', colour: TONE_STYLES.silenced.accent },
    { value: c.failures, label: 'not checked', colour: TONE_STYLES.failure.accent },
  ].filter((figure, index) => index === 0 || figure.value > 0);
  const cells = figures
    .map(
      ({ value, label, colour }) =>
        `<td align="center" style="padding:8px 4px;border:1px solid ${LINE};background-color:#f9fafb;">` +
        `<div style="font-size:22px;line-height:1.2;font-weight:700;color:${colour};">${value}</div>` +
        `<div style="font-size:12px;line-height:1.3;color:${MUTED};">${escapeHtml(label)}</div></td>`,
    )
    .join('');
  return cell(
    '<table role="presentation" width="100%" cellspacing="0" cellpadding="0" border="0" ' +
      `style="border-collapse:collapse;"><tr>${cells}</tr></table>`,
    'padding:8px 24px 4px;',
  );
}

function renderSection(section: DigestSection): string {
  const parts = [
    `<h2 style="margin:0;padding:0 0 6px;font-size:17px;line-height:1.3;color:#111827;font-weight:700;` +
      `border-bottom:2px solid ${SECTION_ACCENT[section.kind]};">${escapeHtml(section.heading)}</h2>`,
  ];
  if (section.intro !== null) {
    parts.push(`<p style="margin:8px 0 0;font-size:14px;line-height:1.5;">${escapeHtml(section.intro)}</p>`);
  }
  for (const group of section.groups) {
    if (group.heading !== null) {
      const tone = group.entries[0]?.tone;
      const colour = tone === undefined ? TEXT : TONE_STYLES[tone].accent;
      parts.push(
        `<h3 style="margin:14px 0 0;font-size:14px;line-height:1.3;color:${colour};font-weight:700;">${escapeHtml(
          group.heading,
        )}</h3>`,
      );
    }
    parts.push(entriesTable(group.entries, section.detailed));
  }
  return cell(parts.join(''), 'padding:20px 24px 4px;');
}

/** One table per group, one row per entry: the badge and title, then the details. */
function entriesTable(entries: readonly DigestEntry[], detailed: boolean): string {
  const rows = entries.map((entry) => (detailed ? detailedRow(entry) : listedRow(entry))).join('');
  return (
    '<table role="presentation" width="100%" cellspacing="0" cellpadding="0" border="0" ' +
    `style="border-collapse:collapse;margin-top:8px;">${rows}</table>`
  );
}

function detailedRow(entry: DigestEntry): string {
  const style = TONE_STYLES[entry.tone];
  const fields = entry.fields.map((field) => fieldRow(field, style)).join('');
  return (
    `<tr data-tone="${entry.tone}">` +
    titleCell(entry, style, 'width:32%;') +
    `<td style="background-color:${style.tint};border-bottom:1px solid #ffffff;padding:8px 12px 8px 0;` +
    'vertical-align:top;">' +
    '<table role="presentation" width="100%" cellspacing="0" cellpadding="0" border="0" ' +
    `style="border-collapse:collapse;">${fields}</table></td></tr>`
  );
}

/** An entry of a list section: its title, then the rest of its one-line summary. */
function listedRow(entry: DigestEntry): string {
  const style = TONE_STYLES[entry.tone];
  // The summary starts with the title (`shop (ssl-1), ucloud/ulb ...`); the title already has its cell.
  const rest = entry.summary.startsWith(`${entry.title}, `)
    ? entry.summary.slice(entry.title.length + 2)
    : entry.summary;
  return (
    `<tr data-tone="${entry.tone}">` +
    titleCell(entry, style, 'width:32%;') +
    `<td style="background-color:${style.tint};border-bottom:1px solid #ffffff;padding:8px 12px 8px 0;` +
    `vertical-align:top;font-size:13px;line-height:1.5;${BREAK}">${escapeHtml(rest)}</td></tr>`
  );
}

function titleCell(entry: DigestEntry, style: ToneStyle, width: string): string {
  return (
    `<td style="${width}background-color:${style.tint};border-left:4px solid ${style.accent};` +
    `border-bottom:1px solid #ffffff;padding:8px 12px;vertical-align:top;${BREAK}">` +
    `<span style="display:inline-block;padding:1px 7px;background-color:${style.accent};color:#ffffff;` +
    'font-size:11px;line-height:1.6;font-weight:700;letter-spacing:.04em;border-radius:3px;white-space:nowrap;">' +
    `${escapeHtml(style.label)}</span>` +
    `<div style="margin-top:4px;font-size:14px;line-height:1.4;font-weight:700;color:#111827;">${escapeHtml(
      entry.title,
    )}</div></td>`
  );
}

function fieldRow({ label, value, items }: DigestField, style: ToneStyle): string {
  const shown = items && items.length > 0 ? items.map(escapeHtml).join(', ') : escapeHtml(value);
  const action = label === ACTION_LABEL;
  const valueStyle = action ? `font-weight:700;color:${style.accent};` : '';
  return (
    `<tr><td style="width:96px;padding:2px 8px 2px 0;vertical-align:top;font-size:12px;line-height:1.5;` +
    `color:${MUTED};white-space:nowrap;">${escapeHtml(label)}</td>` +
    `<td style="padding:2px 0;vertical-align:top;font-size:13px;line-height:1.5;${valueStyle}${BREAK}">${shown}</td></tr>`
  );
}

function footer(): string {
  return cell(
    `<p style="margin:0;font-size:12px;line-height:1.5;color:${MUTED};">Sent by certwatch. The plain-text ` +
      'part of this email says the same.</p>',
    `padding:16px 24px 20px;border-top:1px solid ${LINE};`,
  );
}

/** One full-width row of the message table. */
function cell(html: string, style: string): string {
  return `<tr><td style="${style}">${html}</td></tr>`;
}
