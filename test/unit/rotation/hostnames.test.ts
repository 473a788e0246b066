import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nameCovers } from '../../../lib/rotation';
import { uncoveredNames } from '../../../lib/rotation/hostnames';

describe('nameCovers', () => {
  it.each([
    ['a.example.com', 'a.example.com', true],
    ['A.Example.COM', 'a.example.com.', true],
    ['*.example.com', 'a.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'a.b.example.com', false],
    ['*.example.com', '.example.com', false],
    ['*.example.com', '*.example.com', true],
    ['a.example.com', '*.example.com', false],
    ['*.b.example.com', 'a.example.com', false],
    ['example.com', 'a.example.com', false],
    ['f*.example.com', 'foo.example.com', false],
  ])('%s covers %s: %s', (certificateName, host, expected) => {
    expect(nameCovers(certificateName, host)).toBe(expected);
  });

  it('a wildcard covers exactly the one-label names directly under it', () => {
    const label = fc.stringMatching(/^[a-z0-9-]{1,20}$/);
    fc.assert(
      fc.property(label, fc.array(label, { minLength: 1, maxLength: 3 }), (first, rest) => {
        const base = rest.join('.');
        expect(nameCovers(`*.${base}`, `${first}.${base}`)).toBe(true);
        expect(nameCovers(`*.${base}`, base)).toBe(false);
        expect(nameCovers(`*.${base}`, `${first}.${first}.${base}`)).toBe(false);
      }),
    );
  });
});

describe('uncoveredNames', () => {
  it('lists each missing name once, in order, skipping blanks', () => {
    expect(uncoveredNames(['b.test', '', 'a.test', 'B.test', 'x.example.com'], ['*.example.com'])).toEqual([
      'b.test',
      'a.test',
    ]);
  });
});
