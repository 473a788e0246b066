import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../../lib/pem/boundedCache';
import type { ParsedCertificate } from '../../../lib/pem/chain';
import { IssuerCache } from '../../../lib/pem/issuerCache';

const parsed = (subject: string) => ({ subject }) as ParsedCertificate;

describe('BoundedCache', () => {
  it('keeps the most recently used entries, up to its limit', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect([cache.get('a'), cache.get('c'), cache.size]).toEqual([1, 3, 2]);
    const none = new BoundedCache<string, number>(0);
    none.set('a', 1);
    expect(none.size).toBe(0);
  });
});

describe('IssuerCache', () => {
  it('finds a certificate only by its exact bytes, even when the lookup hash collides', () => {
    const cache = new IssuerCache(8);
    const der = Buffer.from('30820101'.padEnd(600, '7'), 'hex');
    cache.set(der, { parsed: parsed('CN=A'), key: 'a' });
    expect(cache.get(Buffer.from(der))?.parsed.subject).toBe('CN=A');
    // Same length and same last 32 bytes, different start: the same lookup hash, not the same certificate.
    const twin = Buffer.from(der);
    twin[4] = 0x01;
    expect(cache.get(twin)).toBeUndefined();
  });

  it("holds copies it owns, not views into the caller's buffers, and no more entries than its limit", () => {
    const cache = new IssuerCache(3);
    const ders = Array.from({ length: 5 }, (_, i) => Buffer.alloc(100, i));
    for (const [i, der] of ders.entries()) cache.set(der, { parsed: parsed(`CN=${i}`), key: String(i) });
    ders[4]!.fill(9);
    expect(cache.size).toBe(3);
    expect(cache.get(Buffer.alloc(100, 4))?.parsed.subject).toBe('CN=4');
    expect(cache.get(Buffer.alloc(100, 0))).toBeUndefined();
  });
});
