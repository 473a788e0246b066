/**
 * Parsed CA certificates by their bytes: a fleet's thousands of chains share a handful of intermediates and
 * roots. Looked up by a cheap hash of the DER's last bytes (the end of the signature, which differs between
 * any two certificates) and confirmed by comparing the whole DER, so a hit costs neither a parse nor a SHA-256.
 * Holds a copy of each DER (a few hundred entries of about a kilobyte), never the PEM text.
 */
import { BoundedCache } from './boundedCache';
import type { ParsedCertificate } from './parsedCertificate';

export interface CachedIssuer {
  parsed: ParsedCertificate;
  /** SHA-256 of the DER, lowercase hex. */
  key: string;
}

interface Entry extends CachedIssuer {
  der: Uint8Array;
}

/** How many bytes from the end feed the lookup hash. */
const TAIL_BYTES = 32;

export class IssuerCache {
  readonly #entries: BoundedCache<number, Entry>;

  constructor(limit: number) {
    this.#entries = new BoundedCache(limit);
  }

  get size(): number {
    return this.#entries.size;
  }

  get(der: Buffer): CachedIssuer | undefined {
    const entry = this.#entries.get(tailHash(der));
    return entry && der.equals(entry.der) ? entry : undefined;
  }

  set(der: Buffer, certificate: CachedIssuer): void {
    // A copy with an ArrayBuffer of its own: a small Buffer is a view into an 8 KB pool slab it would pin.
    this.#entries.set(tailHash(der), { ...certificate, der: new Uint8Array(der) });
  }
}

/** 32-bit FNV-1a over the length and the last bytes. Collisions only cost a miss: `get` compares the DER. */
function tailHash(der: Uint8Array): number {
  let hash = (0x811c9dc5 ^ der.length) >>> 0;
  for (let i = Math.max(0, der.length - TAIL_BYTES); i < der.length; i++) {
    hash = Math.imul(hash ^ der[i]!, 0x01000193);
  }
  return hash >>> 0;
}
