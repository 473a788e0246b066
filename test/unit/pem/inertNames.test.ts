/**
 * Names read from a certificate are inert: a UTF8String name may hold bidi controls, U+2028 and C1 controls, which
 * OpenSSL prints as they are, and Node quotes a SAN with control characters in JSON's escapes, which reading it
 * back must not undo. Both readers show them as escapes, alike.
 */
import { describe, expect, it } from 'vitest';
import { time } from '../../../emulator/x509/der';
import { evaluate } from '../../../lib/expiry/evaluate';
import { createPemReader } from '../../../lib/pem/chain';
import { pemArmour } from '../../../lib/rotation/bundle';
import { obeyedStrings } from '../../helpers/hostileReport';
import { observed } from '../../helpers/observed';
import { cn, craftAuthority, craftLeaf, dnsName, NOT_AFTER, subjectAltName } from './craftedCertificate';

const root = craftAuthority('inert-names-root', null);
const intermediate = craftAuthority('inert-names-intermediate', root, {
  subject: cn('Evil\u202e CA\u2028\n== Could not check ==\x1b[2J\u0085'),
  notAfter: time(NOT_AFTER - 86_400_000),
});
const leaf = craftLeaf(intermediate, {
  subject: cn('shop\u2066\u200b\ufeff\u0085.example'),
  extensions: [
    subjectAltName(
      dnsName('ok.example'),
      dnsName(Buffer.from('a\n== Could not check ==\r\n\x1b[2J\x7f', 'latin1')),
      dnsName(Buffer.from([0x62, 0x85, 0x9b, 0x63])),
    ),
  ],
});
const pem = pemArmour('CERTIFICATE', leaf) + pemArmour('CERTIFICATE', intermediate.der);

describe.each(['der', 'x509'] as const)('names read by the %s reader', (decoder) => {
  const reader = createPemReader({ decoder });
  const read = reader.read(pem);
  const chain = read.chain!;

  it('read the intermediate strictly and the leaf, whose SANs Node quotes, through X509Certificate', () => {
    expect(reader.counts).toMatchObject(decoder === 'der' ? { der: 1, x509: 1 } : { der: 0, x509: 2 });
  });

  it('show what a UTF8String name holds as escapes', () => {
    expect(chain.leaf.subject).toBe('CN=shop\\u2066\\u200b\\ufeff\\x85.example');
    expect(chain.leaf.commonName).toBe('shop\\u2066\\u200b\\ufeff\\x85.example');
    // OpenSSL already prints C0 controls in a name as \XX; what it passes through is escaped here.
    expect(chain.leaf.issuer).toBe('CN=Evil\\u202e CA\\u2028\\0A== Could not check ==\\1B[2J\\x85');
    expect(chain.intermediates[0]!.subject).toBe(chain.leaf.issuer);
  });

  it('never turn the SAN names Node quoted back into control characters', () => {
    expect(chain.leaf.dnsNames).toEqual([
      'ok.example',
      'a\\n== Could not check ==\\r\\n\\x1b[2J\\x7f',
      'b\\x85\\x9bc',
    ]);
  });

  it('leave nothing obeyed in the chain or in the notes made from it', () => {
    expect(obeyedStrings(read)).toEqual([]);
    const notes = evaluate(observed({ chain }), NOT_AFTER - 30 * 86_400_000, {
      warningDays: 30,
      criticalDays: 7,
    }).notes;
    expect(notes).toEqual([
      `intermediate "CN=Evil\\u202e CA\\u2028\\0A== Could not check ==\\1B[2J\\x85" expires ` +
        `${new Date(NOT_AFTER - 86_400_000).toISOString().replace('.000Z', 'Z')}, before the leaf ` +
        `(${new Date(NOT_AFTER).toISOString().replace('.000Z', 'Z')})`,
    ]);
  });
});
