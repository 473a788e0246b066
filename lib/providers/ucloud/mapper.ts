/**
 * DescribeSSLV2 SSLInfo (wire JSON) -> ObservedCertificate. Never throws: odd fields become notes.
 * https://docs.ucloud.cn/api/ulb-api/describe_sslv2
 */
import type { ObservedCertificate } from '../../model';
import { readPemChain } from '../../pem/chain';
import { isWireObject, uniqueNames, wireText } from '../wire';
import type { SslInfoWire } from './describeSslV2';

/**
 * Epoch values above this are milliseconds: 1e11 seconds is the year 5138, 1e11 ms is March 1973.
 * NotAfter is seconds in ULB replies and milliseconds in UCloud's USSL APIs — both are seen; accept both.
 */
const MILLISECONDS_ABOVE = 1e11;
/** Above this even milliseconds make no date (the year 5138): microseconds, or garbage. */
const NO_DATE_ABOVE = 1e14;

export function mapSslInfo(info: SslInfoWire, region: string, project: string | null): ObservedCertificate {
  const notes: string[] = [];
  const id = wireText(info.SSLId);
  if (!id) notes.push('UCloud returned this certificate without an SSLId');
  // SSLContent may hold the private key too: readPemChain drops every non-certificate block unread.
  const pem = readPemChain(typeof info.SSLContent === 'string' ? info.SSLContent : null);
  if (!pem.chain) notes.push(`SSLContent: ${pem.problems.join('; ')}`);
  const apiNotAfter = epochMs(info.NotAfter, notes);
  const binding = bindingOf(info);
  const domains = uniqueNames([
    ...names(info.Domains),
    ...names(info.DNSNames),
    ...(pem.chain ? [pem.chain.leaf.commonName ?? '', ...pem.chain.leaf.dnsNames] : []),
  ]);
  return {
    provider: 'ucloud',
    service: 'ulb',
    region,
    project,
    id: id || '(no SSLId)',
    name: wireText(info.SSLName) || id || '(unnamed)',
    domains,
    apiNotAfter: apiNotAfter === null ? null : { epochMs: apiNotAfter, source: 'api:NotAfter' },
    chain: pem.chain,
    inUse: binding.inUse,
    boundTo: binding.boundTo,
    notes,
  };
}

/** NotAfter as epoch milliseconds; null when absent or 0 (then the PEM decides). */
function epochMs(value: unknown, notes: string[]): number | null {
  const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (number === undefined || number === null || number === 0 || number === '') return null;
  const ms =
    typeof number === 'number' && Number.isFinite(number) && number >= 0 && number <= NO_DATE_ABOVE
      ? Math.trunc(number > MILLISECONDS_ABOVE ? number : number * 1000)
      : 0;
  // Below one millisecond (a fraction truncated to 0) is "no date" too, not 1970.
  if (ms < 1) {
    notes.push('NotAfter is not a timestamp and was ignored');
    return null;
  }
  return ms;
}

/**
 * Where the certificate is bound. DescribeSSLV2 lists `Relations` (ULB and ALB listeners); the older DescribeSSL
 * shape `BindedTargetSet` is read too. Neither present: unknown.
 */
function bindingOf(info: SslInfoWire): { inUse: boolean | null; boundTo: string[] } {
  if (Array.isArray(info.Relations)) {
    const boundTo = info.Relations.filter(isWireObject).map((relation) => {
      const lb = labelled(relation.LoadBalancerId, relation.LoadBalancerName);
      const listener = labelled(relation.ListenerId, relation.ListenerName);
      return `${lb} / ${listener}${relation.IsDefault === true ? ' (default)' : ''}`;
    });
    return { inUse: boundTo.length > 0, boundTo };
  }
  if (Array.isArray(info.BindedTargetSet)) {
    const boundTo = info.BindedTargetSet.filter(isWireObject).map(
      (target) =>
        `${labelled(target.ULBId, target.ULBName)} / ${labelled(target.VServerId, target.VServerName)}`,
    );
    return { inUse: boundTo.length > 0, boundTo };
  }
  return { inUse: null, boundTo: [] };
}

function labelled(id: unknown, name: unknown): string {
  const idText = wireText(id) || '?';
  const nameText = wireText(name);
  return nameText && nameText !== idText ? `${idText} (${nameText})` : idText;
}

/** Domains and DNSNames are strings on the wire (comma-separated when several); arrays are accepted too. */
function names(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[,\s]+/) : [];
  return items.filter((item): item is string => typeof item === 'string').map((item) => item.trim());
}
