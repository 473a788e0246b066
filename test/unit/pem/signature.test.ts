import { createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bitString, nullValue, objectIdentifier, sequence } from '../../../emulator/x509/der';
import { pooledKey } from '../../../emulator/x509/keys';
import { signedByFromDer } from '../../../lib/pem/signature';
import {
  type CraftOptions,
  craft,
  decodedOrRefused,
  generalizedTime,
  longFormLength,
  utcTime,
} from './craftedCertificate';

interface Signer {
  label: string;
  key: KeyObject;
  /** The AlgorithmIdentifier written in the certificate, and the digest signed with (null for EdDSA). */
  algorithm: Buffer;
  digest: string | null;
}

const rsa = pooledKey('rsa', 'signature-test-rsa').privateKey;
const p256 = pooledKey('ec', 'signature-test-ec').privateKey;
const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
const ed25519 = generateKeyPairSync('ed25519').privateKey;
const rsaWith = (oid: string) => sequence(objectIdentifier(oid), nullValue());

const SIGNERS: Signer[] = [
  { label: 'RSA SHA-1', key: rsa, algorithm: rsaWith('1.2.840.113549.1.1.5'), digest: 'sha1' },
  { label: 'RSA SHA-256', key: rsa, algorithm: rsaWith('1.2.840.113549.1.1.11'), digest: 'sha256' },
  {
    label: 'RSA SHA-256, parameters absent',
    key: rsa,
    algorithm: sequence(objectIdentifier('1.2.840.113549.1.1.11')),
    digest: 'sha256',
  },
  { label: 'RSA SHA-384', key: rsa, algorithm: rsaWith('1.2.840.113549.1.1.12'), digest: 'sha384' },
  { label: 'RSA SHA-512', key: rsa, algorithm: rsaWith('1.2.840.113549.1.1.13'), digest: 'sha512' },
  {
    label: 'ECDSA P-256 SHA-256',
    key: p256,
    algorithm: sequence(objectIdentifier('1.2.840.10045.4.3.2')),
    digest: 'sha256',
  },
  {
    label: 'ECDSA P-384 SHA-384',
    key: p384,
    algorithm: sequence(objectIdentifier('1.2.840.10045.4.3.3')),
    digest: 'sha384',
  },
  { label: 'Ed25519', key: ed25519, algorithm: sequence(objectIdentifier('1.3.101.112')), digest: null },
];

/** A crafted certificate signed as `signer` says, its TBSCertificate's algorithm `tbsAlgorithm` if given. */
function signedCertificate(signer: Signer, options: CraftOptions & { tbsAlgorithm?: Buffer } = {}): Buffer {
  let tbs: Buffer = Buffer.alloc(0);
  craft({
    ...options,
    signatureAlgorithm: options.tbsAlgorithm ?? signer.algorithm,
    encodeTbs: (content) => {
      tbs = sequence(content);
      return tbs;
    },
  });
  return sequence(tbs, signer.algorithm, bitString(sign(signer.digest, tbs, signer.key)));
}

/** An issuer certificate carrying `key`'s public half (signed by anything: only its key is used here). */
function issuerWithKey(key: KeyObject, options: CraftOptions = {}): Buffer {
  return craft({ ...options, publicKeyInfo: createPublicKey(key).export({ type: 'spki', format: 'der' }) });
}

/** X509Certificate's answer, where this Node's OpenSSL decodes both. */
function x509Verdict(child: Buffer, issuer: Buffer): boolean | null {
  const childX509 = decodedOrRefused(child);
  const issuerX509 = decodedOrRefused(issuer);
  return childX509 && issuerX509 ? childX509.verify(issuerX509.publicKey) : null;
}

describe('signedByFromDer, against X509Certificate.verify', () => {
  it('verifies RSA, ECDSA and Ed25519 signatures as OpenSSL does, and refuses another key', () => {
    for (const signer of SIGNERS) {
      const child = signedCertificate(signer);
      const issuer = issuerWithKey(signer.key);
      expect(signedByFromDer(child, issuer), signer.label).toBe(true);
      expect(x509Verdict(child, issuer), signer.label).toBe(true);
      for (const other of SIGNERS.filter((s) => s.key !== signer.key)) {
        const stranger = issuerWithKey(other.key);
        expect(signedByFromDer(child, stranger), `${signer.label} by ${other.label}'s key`).toBe(false);
        expect(x509Verdict(child, stranger), `${signer.label} by ${other.label}'s key`).toBe(false);
      }
    }
  });

  it('refuses a signature changed by one bit, and an outer algorithm that is not the one signed', () => {
    for (const signer of SIGNERS) {
      const issuer = issuerWithKey(signer.key);
      const child = signedCertificate(signer);
      const tampered = Buffer.from(child);
      tampered[tampered.length - 5]! ^= 0x01;
      expect(signedByFromDer(tampered, issuer), signer.label).toBe(false);
      expect(x509Verdict(tampered, issuer), signer.label).toBe(false);
    }
    // The TBSCertificate names SHA-384, the outer algorithm SHA-256 (which the signature is made with).
    const [sha256] = SIGNERS.filter((s) => s.label === 'RSA SHA-256');
    const mismatched = signedCertificate(sha256!, { tbsAlgorithm: rsaWith('1.2.840.113549.1.1.12') });
    expect(signedByFromDer(mismatched, issuerWithKey(rsa))).toBe(false);
    expect(x509Verdict(mismatched, issuerWithKey(rsa))).toBe(false);
  });

  it('verifies certificates whose times lack their seconds, which OpenSSL 3.5 does not decode', () => {
    for (const signer of SIGNERS) {
      const issuer = issuerWithKey(signer.key, { notAfter: generalizedTime('205001010000Z') });
      const child = signedCertificate(signer, { notAfter: utcTime('3001010000Z') });
      expect(signedByFromDer(child, issuer), signer.label).toBe(true);
      // Node 20 (OpenSSL 3.0) decodes both and agrees; decodedOrRefused allows Node 22 to refuse them.
      expect([true, null]).toContain(x509Verdict(child, issuer));
    }
  });

  it('cannot tell for an algorithm it does not know (RSA-PSS), or DER it does not read', () => {
    const pss: Signer = {
      label: 'RSA-PSS',
      key: rsa,
      algorithm: sequence(objectIdentifier('1.2.840.113549.1.1.10'), sequence()),
      digest: 'sha256',
    };
    expect(signedByFromDer(signedCertificate(pss), issuerWithKey(rsa))).toBeNull();
    const [ecdsa] = SIGNERS.filter((s) => s.label === 'ECDSA P-256 SHA-256');
    // A BER time inside the TBSCertificate is signed as it is encoded, so that still verifies; a BER length
    // outside it is not read here.
    const berTime = signedCertificate(ecdsa!, { notAfter: longFormLength(utcTime('300101000000Z')) });
    expect(signedByFromDer(berTime, issuerWithKey(p256))).toBe(true);
    expect(signedByFromDer(longFormLength(signedCertificate(ecdsa!)), issuerWithKey(p256))).toBeNull();
    expect(signedByFromDer(signedCertificate(ecdsa!), longFormLength(issuerWithKey(p256)))).toBeNull();
    expect(signedByFromDer(Buffer.from('not a certificate'), issuerWithKey(p256))).toBeNull();
  });
});
