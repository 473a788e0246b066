/**
 * UCloud request signatures, as the server checks them. Written independently of lib/providers/ucloud so that a
 * mistake in the client's signer cannot be mirrored here.
 *
 * Algorithm (UCloud API docs summary/signature.md; ucloud-sdk-go ucloud/auth): every parameter except Signature,
 * keys in plain string order (so `Backends.10` sorts before `Backends.2`), `key + value` concatenated with no
 * separators and no URL-encoding, then the PrivateKey; lowercase hex SHA-1 of the UTF-8 string.
 */
import { createHash } from 'node:crypto';

/** A parameter value as it arrives: strings from a form or query string, scalars from a JSON body. */
export type UcloudParamValue = string | number | boolean | null | undefined;

/**
 * Formats one value the way the signature sees it: booleans `true`/`false`, numbers without a zero fraction
 * (`42.0` -> `42`; JSON.parse has already dropped it), strings unchanged. Null and undefined yield undefined:
 * such parameters are skipped.
 */
export function formatUcloudValue(value: UcloudParamValue): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isInteger(value) ? value.toFixed(0) : String(value);
  return value;
}

/** The string that is hashed: sorted `key + value` pairs, Signature left out, PrivateKey appended. */
export function ucloudStringToSign(
  params: Readonly<Record<string, UcloudParamValue>>,
  privateKey: string,
): string {
  let text = '';
  // Default sort compares UTF-16 code units: the same as byte order for the ASCII keys UCloud uses.
  for (const key of Object.keys(params).sort()) {
    if (key === 'Signature') continue;
    const value = formatUcloudValue(params[key]);
    if (value !== undefined) text += key + value;
  }
  return text + privateKey;
}

/** `Signature` for these parameters: lowercase hex SHA-1 of {@link ucloudStringToSign}. */
export function ucloudSignature(
  params: Readonly<Record<string, UcloudParamValue>>,
  privateKey: string,
): string {
  return createHash('sha1').update(ucloudStringToSign(params, privateKey), 'utf8').digest('hex');
}

/**
 * Whether `params.Signature` matches. The comparison is exact: UCloud's SDKs all send lowercase hex, and whether the
 * real API also accepts uppercase is unverified, so a client that sends anything else is told about it here.
 */
export function verifyUcloudSignature(
  params: Readonly<Record<string, UcloudParamValue>>,
  privateKey: string,
): boolean {
  const given = params.Signature;
  return typeof given === 'string' && given === ucloudSignature(params, privateKey);
}
