/**
 * One stored PEM must not stall the scan (issue 16): the reader's work on one entry is bounded by its bounds
 * and grows with its size, never with its square, and an entry past a bound gives no chain rather than a date
 * that may not be its own. Work is counted (certificates decoded, signature checks made), not timed.
 */
import { describe, expect, it } from 'vitest';
import { certificatePem } from '../../../emulator/x509/certificate';
import { time } from '../../../emulator/x509/der';
import { pooledKey } from '../../../emulator/x509/keys';
import { makeTestCertificate } from '../../../emulator/x509/testCertificate';
import { evaluate } from '../../../lib/expiry/evaluate';
import {
  createPemReader,
  MAX_CERTIFICATE_BLOCKS,
  MAX_ISSUER_SIGNATURE_CHECKS,
  MAX_PEM_CHARACTERS,
  type PemReader,
  type PemReadResult,
} from '../../../lib/pem/chain';
import { mapSslInfo } from '../../../lib/providers/ucloud/mapper';
import { armour, cutShort } from '../../helpers/pem';
import { type CraftedAuthority, cn, craftAuthority, craftLeaf, NOT_AFTER } from './craftedCertificate';

const NOW = Date.parse('2026-11-23T00:00:00Z');
const DAY = 86_400_000;
const THRESHOLDS = { warningDays: 30, criticalDays: 7 };

const root = craftAuthority('Bounds Root', null);
/** The real issuer of `leaf`: named "CN=same", expiring before the leaf. */
const realIssuer = craftAuthority('Bounds Same Real', root, {
  subject: cn('same'),
  notAfter: time(NOT_AFTER - DAY),
});
const leaf = certificatePem(craftLeaf(realIssuer));
/** A stand-in that signs the decoys: named "CN=same" too, never stored. */
const decoySigner: CraftedAuthority = {
  der: Buffer.alloc(0),
  name: cn('same'),
  signingKey: pooledKey('ec', 'bounds-decoy-signer').privateKey,
};
const decoyCache: string[] = [];
/**
 * `n` different CA certificates all named "CN=same" and issued by "CN=same", none self-signed and none the
 * leaf's issuer, each expiring later than the one before (and than the real issuer): the shape of issue 16.
 */
function decoys(n: number): string[] {
  while (decoyCache.length < n) {
    const serial = decoyCache.length + 1;
    const der = craftAuthority('Bounds Decoy', decoySigner, {
      subject: cn('same'),
      serialNumber: BigInt(serial),
      notAfter: time(NOT_AFTER + serial * DAY),
    }).der;
    decoyCache.push(certificatePem(der));
  }
  return decoyCache.slice(0, n);
}

/** What one read cost: certificates decoded (either reader, or neither) and signature checks made. */
function work(reader: PemReader, text: string): { result: PemReadResult; decoded: number; checks: number } {
  const before = { ...reader.counts };
  const result = reader.read(text);
  const { counts } = reader;
  return {
    result,
    decoded: counts.der + counts.x509 + counts.unreadable - (before.der + before.x509 + before.unreadable),
    checks: counts.signatureChecks - before.signatureChecks,
  };
}

const growing = [1, 2, 4, 8, 16, 31, 32, 64, 128, 800];

/** What the reader says of a text past the length bound, else of one past the block bound, else null. */
function overBound(text: string, certificateBlocks: number): string | null {
  if (text.length > MAX_PEM_CHARACTERS) {
    return (
      `the PEM is ${text.length.toLocaleString('en-US')} characters long, more than the 262,144 read ` +
      'from one entry, so the expiry cannot be read from the PEM'
    );
  }
  if (certificateBlocks > MAX_CERTIFICATE_BLOCKS) {
    return (
      `the PEM holds ${certificateBlocks} certificate blocks, more than the ${MAX_CERTIFICATE_BLOCKS} read ` +
      'from one entry: any of them may be the leaf or the intermediate that expires first, so the expiry ' +
      'cannot be read from the PEM'
    );
  }
  return null;
}

describe('reading one PEM costs work bounded by its bounds, and linear in its size', () => {
  it("n certificates named like the leaf's issuer, none of which signed it: not n²/2 signature checks", () => {
    for (const n of growing) {
      const text = leaf + decoys(n).join('');
      const { result, decoded, checks } = work(createPemReader(), text);
      // Each decoy names itself as its issuer, so each may be checked once for being self-signed; choosing
      // among them has a budget of its own. The old reader checked every candidate left at every step.
      expect(checks, `${n} decoys`).toBeLessThanOrEqual(
        Math.min(n, MAX_CERTIFICATE_BLOCKS) + MAX_ISSUER_SIGNATURE_CHECKS,
      );
      expect(decoded, `${n} decoys`).toBeLessThanOrEqual(MAX_CERTIFICATE_BLOCKS);
      const over = overBound(text, n + 1);
      if (over !== null) {
        expect(decoded).toBe(0);
        expect(result).toEqual({ chain: null, problems: [over], droppedBlocks: 0 });
      } else if (n > 5) {
        // 6 + 5 + 4 + 3 candidates at the first four steps pass the budget of 16.
        expect(result.chain).toBeNull();
        expect(result.problems[0]).toMatch(
          new RegExp(`^${n} certificates are named "CN=same"; .* takes more than the 16 signature checks`),
        );
      }
    }
  });

  it("the real issuer stored after n same-named decoys: its date, or no chain, never a decoy's", () => {
    for (const n of growing) {
      const text = leaf + decoys(n).join('') + certificatePem(realIssuer.der);
      const { result, checks } = work(createPemReader(), text);
      expect(checks).toBeLessThanOrEqual(MAX_CERTIFICATE_BLOCKS + MAX_ISSUER_SIGNATURE_CHECKS);
      const over = overBound(text, n + 2);
      if (n + 1 <= MAX_ISSUER_SIGNATURE_CHECKS) {
        expect(result.chain?.leaf.notAfterMs).toBe(NOT_AFTER);
        expect(result.chain?.intermediates.map((c) => c.notAfterMs)).toEqual([NOT_AFTER - DAY]);
      } else {
        expect(result.chain, `${n} decoys`).toBeNull();
        expect(result.problems).toEqual([
          over ??
            expect.stringMatching(
              new RegExp(
                `^${n + 1} certificates are named "CN=same"; telling which signed the certificate "CN=crafted.example" ` +
                  `takes more than the ${MAX_ISSUER_SIGNATURE_CHECKS} signature checks made for one entry, ` +
                  'so the expiry cannot be read from the PEM$',
              ),
            ),
        ]);
      }
    }
  });

  it('BEGIN lines with no END, key blocks, a huge body: a bounded number of certificates decoded', () => {
    const chain = makeTestCertificate({ keyType: 'ec', notAfter: NOW + 30 * DAY, includeRoot: true });
    const key = chain.leafPrivateKeyPem;
    const shapes: Record<string, (n: number) => string> = {
      'BEGIN lines with no END, then the chain': (n) => '-----BEGIN CERTIFICATE-----\n'.repeat(n) + chain.pem,
      'key blocks, then the chain': (n) => key.repeat(n) + chain.pem,
      'a huge certificate body': (n) => chain.pem + armour('CERTIFICATE', 'QUFB'.repeat(n)),
    };
    for (const [shape, make] of Object.entries(shapes)) {
      for (const n of [1, 10, 100, 1_000, 10_000, 100_000]) {
        const text = make(n);
        const { result, decoded, checks } = work(createPemReader(), text);
        expect(decoded, `${shape} × ${n}`).toBeLessThanOrEqual(4);
        expect(checks, `${shape} × ${n}`).toBeLessThanOrEqual(4);
        if (text.length > MAX_PEM_CHARACTERS) {
          expect(decoded).toBe(0);
          expect(result.chain).toBeNull();
          expect(result.problems).toEqual([
            `the PEM is ${text.length.toLocaleString('en-US')} characters long, more than the 262,144 read ` +
              'from one entry, so the expiry cannot be read from the PEM',
          ]);
        } else if (shape === 'a huge certificate body') {
          expect(result.chain).toBeNull();
          expect(result.problems[0]).toMatch(/^PEM block 4 is not a readable X\.509 certificate/);
        } else {
          expect(result.chain?.leaf.notAfterMs, `${shape} × ${n}`).toBe(chain.notAfterMs);
        }
      }
    }
  });

  it('says once how many BEGIN lines had no END, and still reads the chain after them', () => {
    const chain = makeTestCertificate({ keyType: 'ec', notAfter: NOW + 30 * DAY });
    const result = createPemReader().read('-----BEGIN CERTIFICATE-----\n'.repeat(9_000) + chain.pem);
    expect(result.chain?.leaf.notAfterMs).toBe(chain.notAfterMs);
    expect(result.problems).toEqual([
      '9,000 BEGIN lines in the PEM have no matching END line; the text after each was not read as a block',
    ]);
    // A certificate cut short may be the leaf or the intermediate that expires first: no chain, never a guess.
    const cut = createPemReader().read(`${chain.pem}-----BEGIN CERTIFICATE-----\nMIIB`);
    expect(cut.chain).toBeNull();
    expect(cut.problems).toEqual([
      'a CERTIFICATE block in the PEM has no END line (cut short?): it may be the leaf or the intermediate that ' +
        'expires first, so the expiry cannot be read from the PEM',
      'a BEGIN line in the PEM has no matching END line; the text after it was not read as a block',
    ]);
    // A key cut short hides no certificate.
    const key = createPemReader().read(`${chain.pem}${cutShort('PRIVATE KEY', 'MIIB')}`);
    expect(key.chain?.leaf.notAfterMs).toBe(chain.notAfterMs);
  });

  it('reads a PEM of exactly the length bound, and not one character more', () => {
    const chain = makeTestCertificate({ keyType: 'ec', notAfter: NOW + 30 * DAY });
    const padded = chain.pem + '\n'.repeat(MAX_PEM_CHARACTERS - chain.pem.length);
    expect(createPemReader().read(padded).chain?.leaf.notAfterMs).toBe(chain.notAfterMs);
    expect(createPemReader().read(`${padded}\n`).chain).toBeNull();
  });

  it('reads exactly the block bound of certificate blocks, and not one more', () => {
    const chain = makeTestCertificate({ keyType: 'ec', notAfter: NOW + 30 * DAY });
    // The same intermediate stored again and again is read once; the bound counts blocks, as stored.
    const within = chain.pem + chain.intermediatePem.repeat(MAX_CERTIFICATE_BLOCKS - 2);
    expect(createPemReader().read(within).chain?.intermediates).toHaveLength(1);
    const over = createPemReader().read(within + chain.intermediatePem);
    expect(over.chain).toBeNull();
    expect(over.problems[0]).toMatch(/^the PEM holds 33 certificate blocks, more than the 32 read/);
  });

  it("through the UCloud mapper: the API's date when it gives one, else unknown, the bound named either way", () => {
    const sslContent = leaf + decoys(200).join('');
    const apiNotAfter = Date.UTC(2030, 0, 1);
    const withDate = evaluate(
      mapSslInfo({ SSLId: 'ssl-1', SSLContent: sslContent, NotAfter: apiNotAfter / 1000 }, 'cn-bj2', null),
      NOW,
      THRESHOLDS,
    );
    expect(withDate).toMatchObject({
      expirySource: 'api:NotAfter',
      notAfterMs: Date.parse('2030-01-01T00:00:00Z'),
    });
    expect(withDate.notes.join('\n')).toMatch(
      /^SSLContent: the PEM holds 201 certificate blocks, more than/m,
    );
    const withoutDate = evaluate(
      mapSslInfo({ SSLId: 'ssl-1', SSLContent: sslContent }, 'cn-bj2', null),
      NOW,
      THRESHOLDS,
    );
    expect(withoutDate).toMatchObject({ status: 'unknown', expirySource: 'none', notAfterMs: null });
  });
});
