/**
 * A digest as chat text: the same content as the email and SNS digests (digest.ts), cut into blocks a platform
 * packs into its messages, and the note that ends the last message when they do not all fit (counting the
 * entries left out). Each platform's markdown differs only in its dialect: how it escapes, bolds, heads and
 * colours. Pure.
 *
 * Everything from a provider (names, ids, domains, notes, error messages) goes through `escape`: a certificate
 * named `[click](https://evil)` or `<!channel>` must read as that text, never become a link, an image or a
 * mention.
 */
import type { DigestContent, DigestEntry, DigestTone } from '../alerts/digest';

export interface ChatDialect {
  /** Makes provider text inert: no formatting, link, image or mention can come out of it. */
  escape(text: string): string;
  /** Bold, around text already escaped. */
  bold(text: string): string;
  /** A section heading, around text already escaped. */
  heading(text: string): string;
  /** An entry's tone label (TONE_LABELS), coloured where the platform can; around text already escaped. */
  tone(tone: DigestTone, label: string): string;
  /** What separates lines within a block (DingTalk's markdown needs two spaces before a newline). */
  readonly lineBreak: string;
}

/** What marks an entry's tone in chat, where colour may not be available. Empty: no mark. */
export const TONE_LABELS: Readonly<Record<DigestTone, string>> = {
  expired: '🔴 EXPIRED',
  critical: '🟠 CRITICAL',
  warning: '🟡 WARNING',
  open: '',
  cleanup: '🧹',
  silenced: '🔕',
  failure: '⚠️ NOT CHECKED',
};

/**
 * The digest as blocks of chat text, in reading order: the title with the summary, then per section its heading
 * and one block per entry. A platform packs consecutive blocks into a message (webhook.ts `packDigest`); no block
 * is longer than `maxBlockChars` (an entry whose notes run longer is cut, and says so).
 */
export function chatBlocks(content: DigestContent, dialect: ChatDialect, maxBlockChars = 2_000): string[] {
  const { bold, lineBreak } = dialect;
  const inert = (text: string) => dialect.escape(text);
  const capped = (text: string) => cutBlock(text, maxBlockChars);
  const blocks: string[] = [];
  const head = [bold(inert(content.title)), ...content.summary.map(inert)];
  if (content.note !== null) head.unshift(bold(inert(content.note)));
  blocks.push(capped(head.join(lineBreak)));
  for (const section of content.sections) {
    const lines = [dialect.heading(inert(section.heading))];
    if (section.intro !== null) lines.push(inert(section.intro));
    blocks.push(capped(lines.join(lineBreak)));
    for (const group of section.groups) {
      if (group.heading !== null) blocks.push(bold(inert(group.heading)));
      for (const entry of group.entries) {
        blocks.push(capped(section.detailed ? detailedEntry(entry, dialect) : listedEntry(entry, dialect)));
      }
    }
  }
  return blocks;
}

/**
 * How many entries are among the last `blocks` of chatBlocks' `blockCount` blocks for `content` (what packDigest
 * left out), so an overflow note counts entries, not the title and headings around them. Zero when chatBlocks
 * laid the blocks out otherwise than this expects: a note then says "the rest" rather than a wrong count.
 */
export function entriesLeftOut(content: DigestContent, blockCount: number): (blocks: number) => number {
  // chatBlocks' layout: the title block; per section its heading, per group its heading if any, then its entries.
  const isEntry: boolean[] = [false];
  for (const section of content.sections) {
    isEntry.push(false);
    for (const group of section.groups) {
      if (group.heading !== null) isEntry.push(false);
      for (const _entry of group.entries) isEntry.push(true);
    }
  }
  if (isEntry.length !== blockCount) return () => 0;
  return (blocks) => isEntry.slice(isEntry.length - blocks).filter(Boolean).length;
}

/**
 * What the last message of a chat digest says when the digest had more than `maxMessages` hold: how many
 * entries (entriesLeftOut) it leaves out, why the cap (`why`: `DingTalk takes 20 a minute from a robot`), and
 * where they all are. Plain text of certwatch's own; a platform may bold it.
 */
export function overflowNote(entries: number, maxMessages: number, why: string): string {
  const what =
    entries === 0
      ? 'The rest of the digest is not shown here'
      : `${entries} more ${entries === 1 ? 'entry is' : 'entries are'} not shown here`;
  return (
    `… ${what} (a chat digest is at most ${maxMessages} messages: ${why}). The email and SNS digests, or ` +
    '"certwatch audit", have them all.'
  );
}

/** Invisible, so text reads as written; it only rides along when copied. */
const ZERO_WIDTH_SPACE = '\u200B';

/**
 * Breaks, without relying on any escape being honoured, every markdown or HTML construct that needs one of these
 * characters right before the next: a zero-width space after every `]` (a link `[x](url)` needs `](`), `!` (an
 * image needs `![`), `<` (a tag, an autolink or a `<@user>` mention needs a letter or `@` right after it) and `&`
 * (an entity), and inside `://` (a clickable bare URL). For the markdowns that document no escape (DingTalk,
 * WeCom).
 */
export function breakLinks(text: string): string {
  return text.replace(/[\]!<&]/g, `$&${ZERO_WIDTH_SPACE}`).replace(/:\/\//g, `:${ZERO_WIDTH_SPACE}//`);
}

/** Text on one line: every line break and control character a space (CRLF one space). */
export function singleLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes.
  return text.replace(/\r\n|[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
}

function detailedEntry(entry: DigestEntry, dialect: ChatDialect): string {
  const { bold } = dialect;
  const inert = (text: string) => dialect.escape(text);
  const lines = [marked(entry.tone, bold(inert(entry.title)), dialect)];
  for (const { label, value } of entry.fields) {
    const shown = label === 'What to do' ? bold(inert(value)) : inert(value);
    lines.push(`${inert(label)}: ${shown}`);
  }
  return lines.join(dialect.lineBreak);
}

function listedEntry(entry: DigestEntry, dialect: ChatDialect): string {
  return `• ${marked(entry.tone, dialect.escape(entry.summary), dialect)}`;
}

function marked(tone: DigestTone, text: string, dialect: ChatDialect): string {
  const label = TONE_LABELS[tone];
  return label === '' ? text : `${dialect.tone(tone, label)} ${text}`;
}

function cutBlock(text: string, maxChars: number): string {
  const chars = Array.from(text);
  if (chars.length <= maxChars) return text;
  const note = ' … (cut: the email and SNS digests have all of it)';
  return chars.slice(0, Math.max(0, maxChars - Array.from(note).length)).join('') + note;
}
