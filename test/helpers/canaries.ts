/**
 * Secret canaries: unique strings standing in for every secret a run handles, and a search for them in whatever a
 * run wrote. The private key canary is a real PEM private key (PKCS#8, P-256) whose base64 body carries a marker,
 * so a leak of the key in any shape (the whole block, a line of it, the block re-wrapped or JSON-escaped) is found.
 */
import { createECDH, createPrivateKey, randomBytes } from 'node:crypto';

/** A fresh canary: `canary-<what>-<random>`, unique per test run. */
export function canary(what: string): string {
  return `canary-${what}-${randomBytes(6).toString('hex')}`;
}

export interface PrivateKeyCanary {
  pem: string;
  /** 16 base64 characters found on one line of the PEM body. */
  marker: string;
}

/**
 * A real P-256 private key whose secret scalar holds the marker's bytes, placed so that the marker appears as
 * text in the PEM body: Node reads it back as a key, and it matches its own public key.
 */
export function privateKeyCanary(): PrivateKeyCanary {
  const marker = `CanaryPK${randomBytes(6).toString('base64').replace(/[+/]/g, 'x')}`;
  const markerBytes = Buffer.from(marker, 'base64');
  for (let offset = 2; offset + markerBytes.length <= 32; offset++) {
    const d = randomBytes(32);
    // Below the curve order: a scalar under 2^255 always is.
    d[0] = 1 + (d[0]! % 0x7e);
    markerBytes.copy(d, offset);
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(d);
    const point = ecdh.getPublicKey();
    const key = createPrivateKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        d: d.toString('base64url'),
        x: point.subarray(1, 33).toString('base64url'),
        y: point.subarray(33).toString('base64url'),
      },
      format: 'jwk',
    });
    const pem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
    if (pem.split('\n').some((line) => line.includes(marker))) return { pem, marker };
  }
  throw new Error('no placement of the marker lands on base64 character boundaries');
}

export interface Output {
  /** Where the text came from: "cli audit --format json: stdout". */
  where: string;
  text: string;
}

export interface Leak {
  where: string;
  /** The canary's label, never its value (the test report must not print it either). */
  canary: string;
}

/**
 * Every (output, canary) pair where the canary shows. Besides plain text, each output is also searched with
 * whitespace and JSON/escape line breaks removed, so a PEM body that was re-wrapped still gives its marker away;
 * `PRIVATE KEY-----` (a PEM private key header or footer) counts as a leak on its own.
 */
export function findLeaks(outputs: readonly Output[], canaries: Readonly<Record<string, string>>): Leak[] {
  const leaks: Leak[] = [];
  for (const { where, text } of outputs) {
    const squeezed = text.replace(/\\r|\\n|\s/g, '');
    for (const [label, value] of Object.entries(canaries)) {
      if (text.includes(value) || squeezed.includes(value)) leaks.push({ where, canary: label });
    }
    if (/PRIVATE KEY-----/.test(text)) leaks.push({ where, canary: 'a PEM private key header' });
  }
  return leaks;
}
