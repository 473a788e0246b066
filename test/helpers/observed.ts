/** Builds ObservedCertificates for unit tests from real PEMs made by the emulator's issuer. */
import type { ObservedCertificate } from '../../lib/model';
import { readPemChain } from '../../lib/pem/chain';

export function observed(
  overrides: Partial<ObservedCertificate> & { pem?: string } = {},
): ObservedCertificate {
  const { pem, ...rest } = overrides;
  return {
    provider: 'ucloud',
    service: 'ulb',
    region: 'cn-bj2',
    project: 'org-x',
    id: 'ssl-test',
    name: 'test',
    domains: ['test.example'],
    apiNotAfter: null,
    chain: pem === undefined ? null : readPemChain(pem).chain,
    inUse: true,
    boundTo: ['ulb-1 / vserver-1'],
    notes: [],
    ...rest,
  };
}
