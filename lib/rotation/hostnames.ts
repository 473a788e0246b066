/**
 * Which host names a certificate serves, by the rules browsers apply (RFC 6125 §6.4.3 as narrowed by the CA/B
 * Forum): a wildcard stands for exactly one whole, leftmost label.
 */

/** Compared case-insensitively and without a trailing root dot, as DNS does. */
function canonical(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/**
 * Whether a certificate name covers a host name. `*.example.com` covers `a.example.com` but neither
 * `example.com` nor `a.b.example.com`. A wildcard host name (one the old certificate served) is covered only by
 * the same wildcard: specific names cannot stand in for every name it matched.
 */
export function nameCovers(certificateName: string, hostName: string): boolean {
  const pattern = canonical(certificateName);
  const host = canonical(hostName);
  if (pattern === host) return true;
  if (!pattern.startsWith('*.') || host.startsWith('*.')) return false;
  const firstDot = host.indexOf('.');
  return firstDot > 0 && host.slice(firstDot + 1) === pattern.slice(2);
}

/** The host names in `required` that none of `offered` covers, in the order given, each once, blanks skipped. */
export function uncoveredNames(required: readonly string[], offered: readonly string[]): string[] {
  const missing = required
    .map(canonical)
    .filter((host) => host !== '' && !offered.some((name) => nameCovers(name, host)));
  return [...new Set(missing)];
}
