import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBody, isAscii, pemBlocks, scanPem } from '../../../lib/pem/pemBlocks';
import { armour } from '../../helpers/pem';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----((?:(?!-----BEGIN )[\s\S])*?)-----END \1-----/g;

/** What lib/pem used before: the scanner must find exactly these blocks. */
function byRegExp(text: string) {
  // A body holds no BEGIN line: a block whose END was lost does not swallow the next block of its label.
  return [...text.matchAll(PEM_BLOCK)].map((match) => ({ label: match[1], body: match[2] }));
}

/** BEGIN lines the expression tried and could not close: armour lines outside every block it found. */
function unterminatedByRegExp(text: string): number {
  const blocks = [...text.matchAll(PEM_BLOCK)].map((m) => [m.index, m.index + m[0].length] as const);
  // A lookahead, so that a line starting in the dashes of another is found too.
  return [...text.matchAll(/(?=-----BEGIN [A-Z0-9 ]+-----)/g)].filter(
    (line) => !blocks.some(([start, end]) => line.index >= start && line.index < end),
  ).length;
}

/** The scanner's work may grow with the text, never with its square. */
const linearWork = (text: string) => 4 * text.length + 64;

const fragments = [
  '-----BEGIN ',
  '-----END ',
  '-----',
  '----',
  'CERTIFICATE',
  'PRIVATE KEY',
  'RSA PRIVATE KEY',
  ' ',
  '\n',
  '\r\n',
  'MIIB',
  'x',
  '-',
  'A9',
  '=',
];

describe('pemBlocks', () => {
  it('finds what the regular expression finds, in the same order, on PEM-like text', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        const scan = scanPem(text);
        expect(scan.blocks).toEqual(byRegExp(text));
        expect(scan.unterminated).toBe(unterminatedByRegExp(text));
        expect(scan.searched).toBeLessThanOrEqual(linearWork(text));
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        const scan = scanPem(text);
        expect(scan.blocks).toEqual(byRegExp(text));
        expect(scan.unterminated).toBe(unterminatedByRegExp(text));
      }),
      { numRuns: 500 },
    );
  });

  it('skips a BEGIN line whose END never comes, and reads the blocks after it', () => {
    const text = '-----BEGIN CERTIFICATE-----\nAAAA\n-----BEGIN KEY-----\nBB\n-----END KEY-----\n';
    expect(pemBlocks(text)).toEqual([{ label: 'KEY', body: '\nBB\n' }]);
    expect(pemBlocks('-----BEGIN -----BEGIN X-----y-----END X-----')).toEqual([{ label: 'X', body: 'y' }]);
    // The same label: the cut block does not swallow the whole one after it.
    const cut =
      '-----BEGIN CERTIFICATE-----\nAAAA\n-----BEGIN CERTIFICATE-----\nBB\n-----END CERTIFICATE-----\n';
    expect(pemBlocks(cut)).toEqual([{ label: 'CERTIFICATE', body: '\nBB\n' }]);
    expect(scanPem(cut).unterminated).toBe(1);
  });

  it('reads a block whose BEGIN line starts in the closing dashes of one that never ends', () => {
    // X fails (a BEGIN inside its body before its END); the expression then tries Y, one character on.
    const text =
      '-----BEGIN X-----BEGIN Y-----b-----END Y-----' +
      '-----BEGIN Z-----z-----END Z-----' +
      '-----END X-----';
    expect(pemBlocks(text)).toEqual(byRegExp(text));
    expect(pemBlocks(text)).toEqual([
      { label: 'Y', body: 'b' },
      { label: 'Z', body: 'z' },
    ]);
    expect(scanPem(text).unterminated).toBe(1);
  });

  describe('work grows with the text, not with its square', () => {
    /** Hostile texts of n repeats, and the blocks and unterminated BEGIN lines each holds. */
    const hostile: Record<string, (n: number) => [text: string, blocks: number, unterminated: number]> = {
      'BEGIN lines with no END': (n) => ['-----BEGIN CERTIFICATE-----\n'.repeat(n), 0, n],
      'BEGIN lines, then one END of another label': (n) => [
        `${'-----BEGIN CERTIFICATE-----\nMIIB\n'.repeat(n)}-----END PRIVATE KEY-----\n`,
        0,
        n,
      ],
      'END lines of another label inside each body': (n) => [
        `-----BEGIN A-----\n${'-----END B-----\n'.repeat(n)}`.repeat(4),
        0,
        4,
      ],
      "BEGIN lines in one another's dashes": (n) => ['-----BEGIN A------BEGIN A-----'.repeat(n), 0, 2 * n],
      'key blocks': (n) => [armour('PRIVATE KEY', 'MC4CAQAwBQYDK2VwBCIEIA==').repeat(n), n, 0],
      'one huge body': (n) => [
        `-----BEGIN CERTIFICATE-----\n${'QUFB'.repeat(n)}\n-----END CERTIFICATE-----\n`,
        1,
        0,
      ],
    };
    for (const [shape, make] of Object.entries(hostile)) {
      it(shape, () => {
        for (const n of [10, 100, 1_000, 10_000, 40_000]) {
          const [text, blocks, unterminated] = make(n);
          const scan = scanPem(text);
          expect(scan.searched).toBeLessThanOrEqual(linearWork(text));
          expect([scan.blocks.length, scan.unterminated]).toEqual([blocks, unterminated]);
        }
      });
    }

    it('scans the 1.1 MB of BEGIN lines from issue 16 in well under a second (seconds when each rescanned)', () => {
      const [text] = hostile['BEGIN lines with no END']!(40_000);
      expect(text.length).toBeGreaterThan(1_100_000);
      const started = performance.now();
      expect(pemBlocks(text)).toEqual([]);
      // Linear: a few milliseconds. The old scanner searched to the end for every BEGIN: 12.6 s in the issue.
      expect(performance.now() - started).toBeLessThan(1_000);
    });
  });
});

describe('decodeBody', () => {
  const base64ish = fc.constantFrom(
    ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \r\n\t\v\f!.',
  );
  const anyWhitespace = fc.constantFrom(...'AQ=+/ \n\u00a0\u1680\u2000\u2028\u202f\u205f\u3000\ufeff\u0141');

  it('decodes an ASCII body as the whitespace-stripped body decodes, whitespace or not', () => {
    fc.assert(
      fc.property(fc.array(base64ish, { maxLength: 60 }), (characters) => {
        const body = characters.join('');
        expect(isAscii(body)).toBe(true);
        expect(decodeBody(body, true)).toEqual(Buffer.from(body.replace(/\s+/g, ''), 'base64'));
      }),
      { numRuns: 3000 },
    );
  });

  it('strips Unicode whitespace first from a body that is not ASCII, as Node would read it differently', () => {
    fc.assert(
      fc.property(fc.array(anyWhitespace, { maxLength: 40 }), (characters) => {
        const body = characters.join('');
        expect(decodeBody(body, isAscii(body))).toEqual(Buffer.from(body.replace(/\s+/g, ''), 'base64'));
      }),
      { numRuns: 1000 },
    );
    expect(isAscii('AB\u202fCD')).toBe(false);
    expect(isAscii('\ud800')).toBe(false);
  });
});
