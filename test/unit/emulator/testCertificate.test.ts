import { createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeTestCertificate } from '../../../emulator/x509/testCertificate';
import { readPemChain } from '../../../lib/pem/chain';

const NOT_AFTER = Date.UTC(2026, 6, 1, 12, 0, 0);

describe('makeTestCertificate', () => {
  it('makes an ECDSA leaf and intermediate by default, the leaf expiring first', () => {
    const made = makeTestCertificate({ notAfter: NOT_AFTER });
    const { chain, problems, droppedBlocks } = readPemChain(made.pem);
    expect(problems).toEqual([]);
    expect(droppedBlocks).toBe(0);
    expect(chain?.leaf.notAfterMs).toBe(NOT_AFTER);
    expect(chain?.leaf.notBeforeMs).toBe(NOT_AFTER - 90 * 86_400_000);
    expect(chain?.leaf.dnsNames).toEqual(['test.example']);
    expect(chain?.intermediates).toHaveLength(1);
    expect(chain?.intermediates[0]?.notAfterMs).toBeGreaterThan(NOT_AFTER);
    expect(chain?.roots).toEqual([]);
    expect(new X509Certificate(made.leafPem).publicKey.asymmetricKeyType).toBe('ec');
    expect(made.pem).toBe(made.leafPem + made.intermediatePem);
  });

  it('makes an RSA leaf whose intermediate expires first, with the root and the key', () => {
    const made = makeTestCertificate({
      keyType: 'rsa',
      notAfter: new Date(NOT_AFTER + 456),
      notBefore: NOT_AFTER - 365 * 86_400_000,
      dnsNames: ['api.shop.example', 'shop.example'],
      intermediateNotAfter: NOT_AFTER - 10 * 86_400_000,
      includeRoot: true,
      includeKey: true,
    });
    expect(made.notAfterMs).toBe(NOT_AFTER);
    const { chain, problems, droppedBlocks } = readPemChain(made.pem);
    expect(problems).toEqual([]);
    expect(droppedBlocks).toBe(1);
    expect(chain?.leaf.commonName).toBe('api.shop.example');
    expect(chain?.leaf.dnsNames).toEqual(['api.shop.example', 'shop.example']);
    expect(chain?.intermediates[0]?.notAfterMs).toBe(NOT_AFTER - 10 * 86_400_000);
    expect(chain?.roots).toHaveLength(1);
    expect(made.chainPems).toEqual([made.intermediatePem, made.rootPem]);
    expect(made.pem).toMatch(/-----BEGIN PRIVATE [K]EY-----/);

    const leaf = new X509Certificate(made.leafPem);
    expect(leaf.publicKey.asymmetricKeyType).toBe('rsa');
    expect(leaf.checkPrivateKey(createPrivateKey(made.leafPrivateKeyPem))).toBe(true);
    expect(leaf.checkIssued(new X509Certificate(made.intermediatePem))).toBe(true);
    expect(new X509Certificate(made.intermediatePem).checkIssued(new X509Certificate(made.rootPem))).toBe(
      true,
    );
  });
});
