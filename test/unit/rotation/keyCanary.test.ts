/**
 * Nothing of a private key (or a PFX passphrase) may reach a problem, warning, summary, error or log line: every
 * result and error of every path is stringified every way a caller might, and searched for the key's material.
 */
import type { KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { pooledKey } from '../../../emulator/x509/keys';
import { makeTestCertificate } from '../../../emulator/x509/testCertificate';
import { readCertificateBundle, readPkcs12, validateRotation } from '../../../lib/rotation';
import { makePfx } from '../../helpers/pfx';

const NOW = Date.parse('2026-11-23T00:00:00Z');
const DAY = 86_400_000;
const PASSPHRASE = 'canary-passphrase-8b1d2f';
const FILES = { cert: 'cert.pem', key: 'key.pem' };

/** The key's material in every form it could leak in: PEM bodies, and each private component as hex/base64. */
function canaries(key: KeyObject): string[] {
  const pemBodies = [
    key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    key.asymmetricKeyType === 'rsa'
      ? key.export({ type: 'pkcs1', format: 'pem' }).toString()
      : key.export({ type: 'sec1', format: 'pem' }).toString(),
  ].map((pem) => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''));
  const jwk = key.export({ format: 'jwk' });
  const components = [jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq, jwk.qi].filter(
    (c): c is string => c !== undefined,
  );
  const forms = components.flatMap((b64url) => {
    const bytes = Buffer.from(b64url, 'base64url');
    return [b64url, bytes.toString('base64'), bytes.toString('hex')].map((s) => s.slice(4, 36));
  });
  return [...pemBodies, ...pemBodies.map((body) => body.slice(-48)), ...forms];
}

/** Everything a caller could print: JSON, util.inspect (console.log), and for errors their stack and causes. */
function renderings(value: unknown): string[] {
  const shown = [inspect(value, { depth: Number.POSITIVE_INFINITY }), JSON.stringify(value) ?? ''];
  if (value instanceof Error) {
    shown.push(String(value.stack), value.message, ...renderings(value.cause));
  }
  return shown;
}

async function outcome<T>(attempt: () => T | Promise<T>): Promise<unknown> {
  try {
    return await attempt();
  } catch (error) {
    return error;
  }
}

describe('no key material leaks', () => {
  for (const keyType of ['rsa', 'ec'] as const) {
    it(`from any result or error with an ${keyType.toUpperCase()} key`, async () => {
      const cert = makeTestCertificate({ keyType, notAfter: NOW + 60 * DAY, includeKey: true });
      const key = pooledKey(keyType, 'test-leaf').privateKey;
      const other = pooledKey(keyType, 'canary-other').privateKey;
      const keyPems = [
        cert.leafPrivateKeyPem,
        keyType === 'rsa'
          ? key.export({ type: 'pkcs1', format: 'pem' }).toString()
          : key.export({ type: 'sec1', format: 'pem' }).toString(),
      ];
      const damaged = cert.leafPrivateKeyPem.split('\n');
      damaged.splice(2, 1);
      const encrypted = key
        .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE })
        .toString();
      const pfx = makePfx({
        certificatePems: [cert.leafPem, cert.intermediatePem],
        keyPem: cert.leafPrivateKeyPem,
        passphrase: PASSPHRASE,
      });
      const pfxUnreadableKey = makePfx({
        certificatePems: [cert.leafPem],
        privateKeyInfoDer: Buffer.from('300d020100300506032a0304040100', 'hex'),
        passphrase: PASSPHRASE,
      });

      const outcomes: unknown[] = [];
      for (const keyPem of [...keyPems, other.export({ type: 'pkcs8', format: 'pem' }).toString()]) {
        // The certificate file carries the key too (UCloud-style): it must be dropped unread.
        const bundle = readCertificateBundle(cert.pem, keyPem, FILES);
        outcomes.push(bundle, { ...bundle });
        for (const options of [
          { nowMs: NOW },
          { nowMs: NOW + 365 * DAY, knownIssuers: [cert.rootPem] },
          { nowMs: NOW, replaces: { id: 'old', names: ['x.example'], notAfterMs: NOW + 90 * DAY } },
        ]) {
          outcomes.push(validateRotation(bundle, options));
        }
      }
      for (const keyPem of [damaged.join('\n'), encrypted, keyPems.join(''), cert.leafPem]) {
        outcomes.push(await outcome(() => readCertificateBundle(cert.pem, keyPem, FILES)));
      }
      outcomes.push(
        await outcome(() => readCertificateBundle(cert.leafPrivateKeyPem, cert.leafPrivateKeyPem, FILES)),
      );
      for (const [file, passphrase] of [
        [pfx, PASSPHRASE],
        [pfx, 'wrong'],
        [pfxUnreadableKey, PASSPHRASE],
      ] as const) {
        const read = await outcome(() => readPkcs12(file, passphrase, 'site.pfx'));
        outcomes.push(read);
        if (!(read instanceof Error)) outcomes.push(validateRotation(read as never, { nowMs: NOW }));
      }

      expect(outcomes.filter((o) => o instanceof Error)).toHaveLength(7);
      const secrets = [...canaries(key), ...canaries(other), PASSPHRASE];
      for (const shown of outcomes.flatMap(renderings)) {
        for (const secret of secrets) {
          expect(shown.includes(secret), `leaked ${secret.slice(0, 8)}… in ${shown.slice(0, 120)}`).toBe(
            false,
          );
        }
      }
    });
  }
});
