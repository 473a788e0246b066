import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBody, isAscii, pemBlocks } from '../../../lib/pem/pemBlocks';

/** What lib/pem used before: the scanner must find exactly these blocks. */
function byRegExp(text: string) {
  // A body holds no BEGIN line: a block whose END was lost does not swallow the next block of its label.
  return [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----((?:(?!-----BEGIN )[\s\S])*?)-----END \1-----/g)].map(
    (match) => ({
      label: match[1],
      body: match[2],
    }),
  );
}

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
        expect(pemBlocks(text)).toEqual(byRegExp(text));
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(pemBlocks(text)).toEqual(byRegExp(text));
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
