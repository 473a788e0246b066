import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inertText } from '../../lib/inert';
import { inertCertificate, inertFailure } from '../../lib/inertRecords';
import { OBEYED_TEXT, obeyedStrings } from '../helpers/hostileReport';
import { observed } from '../helpers/observed';

describe('inertText', () => {
  it('shows every character that would be obeyed as the escape JavaScript writes it', () => {
    expect(inertText('a\nb\rc\td')).toBe('a\\nb\\rc\\td');
    expect(inertText('\x1b[2J\x00\x07\x08\x7f')).toBe('\\x1b[2J\\x00\\x07\\x08\\x7f');
    expect(inertText('next\x85csi\x9b')).toBe('next\\x85csi\\x9b');
    expect(inertText('a\u2028b\u2029c')).toBe('a\\u2028b\\u2029c');
    expect(inertText('\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c')).toBe(
      '\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c',
    );
    expect(inertText('\u200b\u200c\u200d\u2060\ufeff\u00ad')).toBe(
      '\\u200b\\u200c\\u200d\\u2060\\ufeff\\xad',
    );
    expect(inertText('tag\u{e0041}\u{e007f}')).toBe('tag\\u{e0041}\\u{e007f}');
    expect(inertText('lone\ud800 \udfff')).toBe('lone\\ud800 \\udfff');
  });

  it('leaves ordinary text as it is, the very string, backslashes included', () => {
    for (const text of [
      '',
      'shop.example.com',
      'Zertifikat für Straße — 証明書 🔒',
      'O=Example\\, Inc., CN=a\\+b',
      'back\\slash \\n that was typed',
      '<script>alert(1)</script> "quoted" =SUM(A1)',
      'non-breaking\u00a0space, ideographic\u3000space',
    ]) {
      expect(inertText(text)).toBe(text);
    }
  });

  it('over any text: leaves nothing that would be obeyed, changes nothing twice, keeps text without any', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        const inert = inertText(text);
        expect(obeyedStrings(inert)).toEqual([]);
        expect(inertText(inert)).toBe(inert);
        // Controls, format characters, surrogates and separators (Unicode's Cc, Cf, Cs, Zl, Zp) are all it changes.
        if (!/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u.test(text)) expect(inert).toBe(text);
      }),
      { numRuns: 2000, seed: 0x1ae7 },
    );
  });

  it('shows each character where it was: an escape per character, the text around it unchanged', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...OBEYED_TEXT.join('')), { maxLength: 20 }), (characters) => {
        const shown = inertText(characters.join('·'));
        const parts = shown.split('·');
        expect(parts).toHaveLength(characters.length === 0 ? 1 : characters.length);
        for (const part of parts) {
          expect(part).toMatch(/^(?:[ -~]|\\(?:[nrt]|x[0-9a-f]{2}|u[0-9a-f]{4}|u\{[0-9a-f]{5}\}))?$/);
        }
      }),
      { numRuns: 500, seed: 0x1ae8 },
    );
  });
});

describe('inertCertificate and inertFailure', () => {
  it('give the same object when nothing needs escaping', () => {
    const cert = observed({ id: 'ssl-1', name: 'shop', domains: ['shop.example'], notes: ['a note'] });
    expect(inertCertificate(cert)).toBe(cert);
    const failure = {
      provider: 'ucloud',
      service: 'ulb',
      region: 'cn-bj2',
      project: null,
      message: 'HTTP 503',
    };
    expect(inertFailure(failure)).toBe(failure);
  });

  it('make every string of their own inert, and leave the one they were given as it was', () => {
    const cert = observed({
      provider: 'p\n',
      service: 's\x1b',
      region: 'r\u2028',
      project: 'o\u202e',
      id: 'ssl-1\r',
      name: 'shop\n== Could not check ==',
      domains: ['ok.example', 'evil\u202e.example'],
      boundTo: ['ulb-1 (\x1b[2J)'],
      notes: ['note\u2029'],
      apiNotAfter: { epochMs: 0, source: 'api:\x85' },
      apiFingerprintSha1: 'ab\u200b',
    });
    const before = structuredClone(cert);
    const inert = inertCertificate(cert);
    expect(cert).toEqual(before);
    expect(obeyedStrings(inert)).toEqual([]);
    expect(inert).toMatchObject({
      provider: 'p\\n',
      service: 's\\x1b',
      region: 'r\\u2028',
      project: 'o\\u202e',
      id: 'ssl-1\\r',
      name: 'shop\\n== Could not check ==',
      domains: ['ok.example', 'evil\\u202e.example'],
      boundTo: ['ulb-1 (\\x1b[2J)'],
      notes: ['note\\u2029'],
      apiNotAfter: { epochMs: 0, source: 'api:\\x85' },
      apiFingerprintSha1: 'ab\\u200b',
    });
    expect(inert.chain).toBe(cert.chain);
    const failure = {
      provider: 'x',
      service: 'y',
      region: 'r\n',
      project: 'p\t',
      message: 'RetCode 1 "\x1b[2J"',
    };
    expect(inertFailure(failure)).toEqual({
      provider: 'x',
      service: 'y',
      region: 'r\\n',
      project: 'p\\t',
      message: 'RetCode 1 "\\x1b[2J"',
    });
  });
});
