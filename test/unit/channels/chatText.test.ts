import { describe, expect, it } from 'vitest';
import {
  type ChatDialect,
  chatBlocks,
  entriesLeftOut,
  overflowNote,
  singleLine,
} from '../../../lib/channels/chatText';
import { cert, digestOf, failure } from '../../helpers/reports';

/** Markdown-free: every block reads as its text. */
const PLAIN: ChatDialect = {
  escape: (text) => text,
  bold: (text) => text,
  heading: (text) => `# ${text}`,
  tone: (_tone, label) => label,
  lineBreak: '\n',
};

describe('entriesLeftOut', () => {
  // Title; "New this run" with its Expired and Critical groups; "Could not check" with one entry.
  const digest = digestOf(
    [
      cert({ id: 'ssl-1', name: 'a', status: 'expired', daysLeft: -1 }),
      cert({ id: 'ssl-2', name: 'b', status: 'critical', daysLeft: 3 }),
      cert({ id: 'ssl-3', name: 'c', status: 'critical', daysLeft: 4 }),
    ],
    [failure()],
  )!;
  const blocks = chatBlocks(digest.content, PLAIN);

  it('counts the entries among the last blocks, not the title and headings between them', () => {
    // The layout it relies on: the title, 2 section headings, 2 group headings and 4 entries.
    expect(blocks).toHaveLength(9);
    expect(blocks.at(-2)).toMatch(/^# Could not check \(1 source\)/);
    expect(blocks.at(-5)).toMatch(/^Critical \(2\)$/);
    const left = entriesLeftOut(digest.content, blocks.length);
    expect(left(0)).toBe(0);
    // The failure and the "Could not check" heading: one entry in two blocks.
    expect(left(2)).toBe(1);
    // c, b, the Critical heading, then the failure's two blocks.
    expect(left(5)).toBe(3);
    expect(left(blocks.length)).toBe(4);
  });

  it('counts nothing when the blocks are not laid out as it expects', () => {
    expect(entriesLeftOut(digest.content, blocks.length + 1)(3)).toBe(0);
  });
});

describe('overflowNote', () => {
  it('says how many entries are left out, why, and where they all are', () => {
    expect(overflowNote(12, 10, 'X takes 20 a minute')).toBe(
      '… 12 more entries are not shown here (a chat digest is at most 10 messages: X takes 20 a minute). ' +
        'The email and SNS digests, or "certwatch audit", have them all.',
    );
    expect(overflowNote(1, 10, 'why')).toContain('… 1 more entry is not shown here (');
    expect(overflowNote(0, 10, 'why')).toContain('… The rest of the digest is not shown here (');
  });
});

describe('singleLine', () => {
  it('turns every line break and control character into one space', () => {
    expect(singleLine('a\r\nb\rc\nd\te\u0000f\u0085g\u2028h\u2029i')).toBe('a b c d e f g h i');
  });
});
