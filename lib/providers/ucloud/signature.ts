/**
 * UCloud API request signature.
 * https://docs.ucloud.cn/api/summary/signature (and ucloud-sdk-go ucloud/auth): every parameter except
 * Signature, keys in plain string order (so `Backends.10` sorts before `Backends.2`), `key + value` concatenated
 * with no separators and no URL-encoding, the private key appended, lowercase hex SHA-1.
 */
import { createHash } from 'node:crypto';

export type UcloudParamValue = string | number | boolean | null | undefined;
export type UcloudParams = Record<string, UcloudParamValue>;

/** How a value is written on the wire and in the string to sign: `true`/`false`, `42.0` as `42`. */
export function ucloudParamText(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  // JavaScript already prints a float with a zero fraction without it (42.0 -> "42").
  return String(value);
}

/** The Signature for `params` (PublicKey included, Signature excluded). Null and undefined values are skipped. */
export function signUcloudParams(params: UcloudParams, privateKey: string): string {
  const keys = Object.keys(params)
    .filter((key) => key !== 'Signature' && params[key] !== null && params[key] !== undefined)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash('sha1');
  for (const key of keys)
    hash.update(key + ucloudParamText(params[key] as string | number | boolean), 'utf8');
  hash.update(privateKey, 'utf8');
  return hash.digest('hex');
}
