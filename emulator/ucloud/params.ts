/**
 * Turning a UCloud request into its flat parameter map. UCloud takes the same parameters three ways: a POST form
 * body (Go and Python SDKs), a POST JSON body with flattened keys (JS SDK), or a GET query string.
 * Values end up as the strings the signature sees (see formatUcloudValue).
 */
import { formatUcloudValue } from './signature';

/** Flat request parameters. A null-prototype object, so a key such as `__proto__` is just a key. */
export type UcloudParams = Record<string, string>;

/** The parameters that could be read and, when the request is unusable, why (the first problem found). */
export interface ParseResult {
  params: UcloudParams;
  problem?: string;
}

/**
 * Reads the parameters of one request. For POST, query-string parameters are read too and the body wins on a
 * clash; a missing Content-Type is read as a form. A JSON body must be one object of scalar values: nested
 * objects or arrays are refused (emulator choice: the documented wire form is flattened keys, `IP.0`, `Led.Enabled`).
 */
export function parseUcloudParams(
  method: string,
  contentType: string | undefined,
  query: URLSearchParams,
  body: Buffer,
): ParseResult {
  const params: UcloudParams = Object.create(null);
  for (const [key, value] of query) params[key] = value;
  if (method !== 'POST' || body.length === 0) return { params };

  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const text = body.toString('utf8');
  if (mediaType === '' || mediaType === 'application/x-www-form-urlencoded') {
    for (const [key, value] of new URLSearchParams(text)) params[key] = value;
    return { params };
  }
  if (mediaType === 'application/json') return readJsonBody(text, params);
  return { params, problem: `Content-Type [${mediaType}] not supported` };
}

function readJsonBody(text: string, params: UcloudParams): ParseResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { params, problem: 'Request body is not valid JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { params, problem: 'Request body must be a JSON object' };
  }
  let problem: string | undefined;
  for (const [key, value] of Object.entries(parsed)) {
    if (value !== null && typeof value === 'object') {
      problem ??= `Params [${key}] not available: send flattened keys (${key}.0, ${key}.Name)`;
      continue;
    }
    const formatted = formatUcloudValue(value as string | number | boolean | null);
    if (formatted !== undefined) params[key] = formatted;
  }
  return problem === undefined ? { params } : { params, problem };
}
