/**
 * The UCloud API transport: signed POST (form-encoded, as the Go and Python SDKs send it), per-request timeout,
 * retries for what UCloud says is transient, and errors that say what to do.
 * Wire facts: https://docs.ucloud.cn/api/summary/public (RetCode 0 = success; errors come with HTTP 200 too).
 */
import { ProviderError } from '../../errors';
import { exchange, parseJsonObject, TransportFailure } from '../../http/transport';
import { inertText } from '../../inert';
import { USER_AGENT } from '../../version';
import { paced } from '../pacing';
import {
  PROVIDER_REPLY_MAX_BYTES,
  providerErrorFor,
  resolveTransport,
  type TransportOptions,
  withRetries,
} from '../transport';
import { signUcloudParams, type UcloudParams, ucloudParamText } from './signature';

export interface UcloudResponse {
  RetCode: number;
  Action?: string;
  Message?: string;
  [field: string]: unknown;
}

export interface UcloudClientOptions extends TransportOptions {
  publicKey: string;
  privateKey: string;
  apiUrl: string;
  timeoutMs: number;
}

/**
 * RetCodes worth another try: 110 timed out, 150 service unavailable, 153 throttled; the official Go SDK also
 * retries every RetCode >= 2000 (server-side failures).
 */
const THROTTLED_RETCODE = 153;

function isRetryableRetCode(retCode: number): boolean {
  return retCode === 110 || retCode === 150 || retCode === 153 || retCode >= 2000;
}

/** HTTP statuses the official SDK retries, plus 500. */
function isRetryableHttpStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

const RETCODE_ADVICE: Record<number, string> = {
  170: 'the request was not signed: this is a certwatch bug, please report it',
  171: 'check UCLOUD_PRIVATE_KEY (it must be the private key of UCLOUD_PUBLIC_KEY)',
  172: 'check UCLOUD_PUBLIC_KEY: UCloud knows no user with that key',
  292: 'check UCLOUD_PROJECT_IDS: the project does not exist or this key cannot see it',
  294: "UCloud refused this machine's IP address: check the key's IP allow-list",
  299: 'the key lacks permission: grant it read access to ULB (DescribeSSLV2)',
  153: 'UCloud kept throttling the requests: run the scan again later, or scan fewer regions at once',
  150: 'UCloud said the service is unavailable: run the scan again later',
};

export class UcloudClient {
  private readonly transport: ReturnType<typeof resolveTransport>;

  constructor(private readonly options: UcloudClientOptions) {
    this.transport = resolveTransport(options);
  }

  /**
   * Calls `action` with `params` (Action and PublicKey are added). `where` names the target in errors,
   * e.g. `in cn-bj2 (project org-x)`. Retries transient failures; throws ProviderError. `signal` aborts the
   * call and its retries (the scan's deadline).
   */
  async call(
    action: string,
    params: UcloudParams,
    where: string,
    signal?: AbortSignal,
  ): Promise<UcloudResponse> {
    const signed: UcloudParams = { ...params, Action: action, PublicKey: this.options.publicKey };
    signed.Signature = signUcloudParams(signed, this.options.privateKey);
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(signed)) {
      if (value !== null && value !== undefined) body.append(key, ucloudParamText(value));
    }
    const label = `UCloud ${action} ${where}`;
    const lane = this.transport.pacing?.lane('ucloud', this.options.publicKey, action);
    return withRetries(
      () => paced(lane, () => this.send(action, body, label, signal), signal),
      this.transport,
      signal,
    );
  }

  private async send(
    action: string,
    body: URLSearchParams,
    label: string,
    signal: AbortSignal | undefined,
  ): Promise<UcloudResponse> {
    this.options.onRequest?.(action);
    let response: Response;
    let text: string;
    try {
      ({ response, text } = await exchange(
        this.transport.fetch,
        this.options.apiUrl,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': USER_AGENT },
          body,
        },
        { timeoutMs: this.options.timeoutMs, maxBodyBytes: PROVIDER_REPLY_MAX_BYTES, signal },
      ));
    } catch (error) {
      if (!(error instanceof TransportFailure)) throw error;
      throw providerErrorFor(error, {
        provider: 'ucloud',
        label,
        target: this.options.apiUrl,
        setting: 'UCLOUD_API_URL',
        timeoutMs: this.options.timeoutMs,
      });
    }
    const requestId = response.headers.get('x-ucloud-request-uuid') ?? undefined;
    const parsed = parseJsonObject(text) as UcloudResponse | null;
    if (!response.ok) {
      const retCode = parsed?.RetCode;
      const said = parsed?.Message ? ` "${inertText(String(parsed.Message))}"` : '';
      throw new ProviderError(
        `${label}: HTTP ${response.status}${typeof retCode === 'number' ? ` RetCode ${retCode}` : ''}${said}`,
        {
          provider: 'ucloud',
          code: `HTTP ${response.status}`,
          retryable: isRetryableHttpStatus(response.status),
          throttled: response.status === 429,
          requestId,
        },
      );
    }
    if (!parsed || typeof parsed.RetCode !== 'number') {
      throw new ProviderError(`${label}: the reply is not a UCloud API response (${describeBody(text)})`, {
        provider: 'ucloud',
        code: 'malformed-response',
        retryable: true,
        requestId,
      });
    }
    if (parsed.RetCode !== 0) {
      const advice = RETCODE_ADVICE[parsed.RetCode];
      throw new ProviderError(
        `${label}: RetCode ${parsed.RetCode} "${inertText(String(parsed.Message ?? ''))}"${advice ? ` — ${advice}` : ''}`,
        {
          provider: 'ucloud',
          code: `RetCode ${parsed.RetCode}`,
          retryable: isRetryableRetCode(parsed.RetCode),
          throttled: parsed.RetCode === THROTTLED_RETCODE,
          requestId,
        },
      );
    }
    return parsed;
  }
}

/** Never echoes the body: a UCloud reply may carry a private key in SSLContent. */
function describeBody(text: string): string {
  if (text.length === 0) return 'empty body';
  return parseJsonObject(text)
    ? `JSON without a RetCode, ${text.length} bytes`
    : `not JSON, ${text.length} bytes`;
}
