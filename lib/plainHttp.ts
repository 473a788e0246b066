/**
 * Where certwatch sends plain http:// at all: to this machine (an emulator, a local receiver, a test), where
 * nothing crosses a network. Anywhere else a request's credentials and the reply's certificates cross in clear.
 */

/**
 * Whether a URL's host is this machine: `localhost`, 127.0.0.0/8 or ::1 (also as an IPv4-mapped address), as the
 * WHATWG URL parser normalizes them (`127.1` is `127.0.0.1`, IPv6 comes in brackets).
 */
export function isLoopbackHost(url: URL): boolean {
  const host = url.hostname;
  return (
    host === 'localhost' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) ||
    host === '[::1]' ||
    /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(host)
  );
}
