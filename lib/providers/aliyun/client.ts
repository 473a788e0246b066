/**
 * The Alibaba Cloud RPC OpenAPI transport: signed GET for reads, signed POST form for writes, per-request timeout,
 * retries for what Alibaba says is transient, and errors that say what to do.
 * Errors: https://www.alibabacloud.com/help/en/sdk/developer-reference/error-codes — body
 * `{RequestId, HostId, Code, Message, Recommend}`, any 2xx is success. Retry policy after aliyun-python-sdk-core
 * retry_config.json and the Darabonba runtime (which also honours `x-acs-retry-after`, in milliseconds).
 */
import { randomUUID } from 'node:crypto';
import { ProviderError } from '../../errors';
import { type RetryPolicy, retryAfterMs } from '../../http/retry';
import { exchange, parseJsonObject, TransportFailure } from '../../http/transport';
import { inertText } from '../../inert';
import { USER_AGENT } from '../../version';
import { paced } from '../pacing';
import { type ProviderDeps, transportFrom } from '../source';
import {
  PROVIDER_REPLY_MAX_BYTES,
  providerErrorFor,
  resolveTransport,
  type TransportOptions,
  withRetries,
} from '../transport';
import type { AliyunConfig } from './config';
import {
  canonicalQuery,
  type HttpMethod,
  percentEncode,
  type SigningCredentials,
  signRpcRequest,
} from './signature';

export type AliyunReply = Record<string, unknown>;

export interface AliyunClientOptions extends TransportOptions {
  /**
   * The key pair requests are signed with, or where it comes from for each request (temporary credentials of an
   * assumed role, refreshed before they expire: ./accounts.ts).
   */
  credentials: SigningCredentials | (() => Promise<SigningCredentials>);
  /**
   * Whose rate limits the calls count against (limits are per account): the pacing lane's key. Default: the
   * AccessKey id of static credentials.
   */
  lane?: string;
  /** Base URL, e.g. `https://cdn.aliyuncs.com`. */
  endpoint: string;
  /** API version of the product, e.g. `2018-05-10` for CDN. */
  version: string;
  /** How the product is named in messages: `CDN`, `SLB`. */
  product: string;
  /** The configuration keys a person should check, named in advice. */
  settings: { accessKeyId: string; accessKeySecret: string; endpoint: string };
  /**
   * The product's RAM code (`yundun-cert` for CAS): a permission error then names the RAM action the key lacks,
   * `<code>:<Action>` (Alibaba's RAM authorization tables name every action so).
   */
  ramCode?: string;
  timeoutMs: number;
  /** Wall clock for the Timestamp parameter. */
  clock?: () => number;
  /** A fresh SignatureNonce for every request sent (retries included). */
  nonce?: () => string;
}

export interface CallOptions {
  method?: HttpMethod;
  /** Names the target in errors, e.g. `in cn-hangzhou`. */
  where?: string;
  signal?: AbortSignal;
  /**
   * False for calls that change something (UploadServerCertificate): then only failures that prove the request
   * was not acted on (refused connection, throttling) are retried.
   */
  idempotent?: boolean;
}

/**
 * Codes worth another attempt: throttling, flow control, server trouble, and SignatureNonceUsed (the next attempt
 * signs with a fresh nonce; the refused one was a copy, by a proxy or the network, of a request already sent).
 * Signature and permission errors: never.
 */
function isRetryableCode(code: string): boolean {
  return (
    code.startsWith('Throttling') ||
    code === 'Rejected.Throttling' ||
    code === 'FlowControlError' ||
    code === 'ServiceUnavailable' ||
    code === 'InternalError' ||
    code === 'SignatureNonceUsed' ||
    // ALB and NLB: terraform-provider-alicloud retries it (provider-apis-more.md §3, §4).
    code === 'SystemBusy'
  );
}

/**
 * Whether a reply body is an error whatever its HTTP status: Alibaba's error body is `{RequestId, HostId, Code,
 * Message, Recommend}` (error-codes doc), and the RPC actions certwatch reads answer success without a `Code`.
 * Some Alibaba APIs do send `Code` on success ("200", "OK", "Success", beside `Success: true`): those are not
 * errors.
 */
function isErrorBody(body: Record<string, unknown> | null): boolean {
  const code = body?.Code;
  return (
    typeof code === 'string' &&
    code.trim() !== '' &&
    !/^(?:200|ok|success)$/i.test(code.trim()) &&
    body?.Success !== true
  );
}

function isThrottlingCode(code: string): boolean {
  return code.startsWith('Throttling') || code === 'Rejected.Throttling' || code === 'FlowControlError';
}

export class AliyunRpcClient {
  private readonly transport: ReturnType<typeof resolveTransport>;
  private readonly clock: () => number;
  private readonly nonce: () => string;
  private readonly url: URL;

  constructor(private readonly options: AliyunClientOptions) {
    this.transport = resolveTransport(options);
    this.clock = options.clock ?? Date.now;
    this.nonce = options.nonce ?? randomUUID;
    this.url = new URL(options.endpoint);
    if (this.url.pathname === '') this.url.pathname = '/';
  }

  /** Calls `action`; retries transient failures; throws ProviderError naming the call and what to do. */
  async call(
    action: string,
    params: Record<string, string>,
    options: CallOptions = {},
  ): Promise<AliyunReply> {
    const method = options.method ?? 'GET';
    const label = `Alibaba ${this.options.product} ${action}${options.where ? ` ${options.where}` : ''}`;
    const idempotent = options.idempotent ?? true;
    const { credentials } = this.options;
    const lane = this.transport.pacing?.lane(
      `aliyun-${this.options.product}`,
      this.options.lane ?? (typeof credentials === 'function' ? 'session' : credentials.accessKeyId),
      action,
    );
    const attempt = async () => {
      try {
        return await paced(lane, () => this.send(action, params, method, label, options), options.signal);
      } catch (error) {
        if (!idempotent && error instanceof ProviderError && error.retryable && !wasNotActedOn(error)) {
          throw new ProviderError(error.message, { ...error, retryable: false }, { cause: error });
        }
        throw error;
      }
    };
    return withRetries(attempt, this.transport, options.signal);
  }

  private async send(
    action: string,
    params: Record<string, string>,
    method: HttpMethod,
    label: string,
    { signal }: CallOptions,
  ): Promise<AliyunReply> {
    const credentials = await this.credentials(signal);
    this.options.onRequest?.(action);
    const signed = signRpcRequest(
      { ...params, Action: action, Version: this.options.version },
      method,
      credentials,
      {
        timestamp: new Date(this.clock()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        nonce: this.nonce(),
      },
    );
    const query = `${canonicalQuery(signed)}&Signature=${percentEncode(signed.Signature!)}`;
    let response: Response;
    let text: string;
    try {
      ({ response, text } = await exchange(
        this.transport.fetch,
        method === 'GET' ? `${this.url.href}?${query}` : this.url.href,
        {
          method,
          headers: {
            'user-agent': USER_AGENT,
            ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          },
          body: method === 'POST' ? query : undefined,
        },
        { timeoutMs: this.options.timeoutMs, maxBodyBytes: PROVIDER_REPLY_MAX_BYTES, signal },
      ));
    } catch (error) {
      if (!(error instanceof TransportFailure)) throw error;
      throw providerErrorFor(error, {
        provider: 'aliyun',
        label,
        target: this.url.origin,
        setting: this.options.settings.endpoint,
        timeoutMs: this.options.timeoutMs,
      });
    }
    const body = parseJsonObject(text);
    // What the provider says goes into messages a person reads: inert, like any provider text (lib/inert.ts).
    const requestId = typeof body?.RequestId === 'string' ? inertText(body.RequestId) : undefined;
    // A gateway may wrap an error in a 2xx: its Code is the error, as it would be with an error status.
    if (response.ok && !isErrorBody(body)) {
      if (!body) {
        throw new ProviderError(
          `${label}: the reply is not JSON (HTTP ${response.status}, ${text.length} bytes)`,
          {
            provider: 'aliyun',
            code: 'malformed-response',
            retryable: true,
            requestId,
          },
        );
      }
      return body;
    }
    const code = typeof body?.Code === 'string' ? inertText(body.Code) : `HTTP ${response.status}`;
    const said =
      typeof body?.Message === 'string'
        ? inertText(withoutEchoedRequest(body.Message, { params, credentials }))
        : '';
    const message = said ? ` "${said}"` : '';
    const advice = this.adviceFor(code, action);
    // x-acs-retry-after counts milliseconds (the Darabonba runtime).
    const retryAfter = retryAfterMs(response.headers.get('x-acs-retry-after'), this.clock(), 1);
    throw new ProviderError(
      `${label}: HTTP ${response.status} ${code}${message}${advice ? ` — ${advice}` : ''}${requestId ? ` (RequestId ${requestId})` : ''}`,
      {
        provider: 'aliyun',
        code,
        retryable: isRetryableCode(code) || response.status >= 500,
        throttled: isThrottlingCode(code) || response.status === 429,
        requestId,
        retryAfterMs: retryAfter !== undefined && retryAfter > 0 ? retryAfter : undefined,
      },
    );
  }

  /**
   * The key pair for one request. Temporary credentials that cannot be had (the role cannot be assumed) fail this
   * call for good: the credentials' own calls were retried already.
   */
  private async credentials(signal: AbortSignal | undefined): Promise<SigningCredentials> {
    const { credentials } = this.options;
    if (typeof credentials !== 'function') return credentials;
    signal?.throwIfAborted();
    try {
      return await credentials();
    } catch (error) {
      if (error instanceof ProviderError && error.retryable) {
        throw new ProviderError(error.message, { ...error, retryable: false }, { cause: error });
      }
      throw error;
    }
  }

  private adviceFor(code: string, action: string): string | undefined {
    const { settings } = this.options;
    if (code === 'SignatureDoesNotMatch' || code === 'IncompleteSignature') {
      return `check ${settings.accessKeySecret} (it must be the secret of ${settings.accessKeyId})`;
    }
    if (code.startsWith('InvalidAccessKeyId'))
      return `check ${settings.accessKeyId}: Alibaba Cloud does not know it`;
    if (code.startsWith('InvalidSecurityToken'))
      return 'the STS token is invalid or expired: refresh ALIBABA_CLOUD_SECURITY_TOKEN';
    if (code.startsWith('Forbidden') || code.startsWith('NoPermission')) {
      const { ramCode } = this.options;
      const needed = ramCode ? `${ramCode}:${action}` : undefined;
      return needed
        ? `the key lacks permission: grant it the RAM action ${needed}`
        : `the key lacks permission: grant it read access to ${this.options.product}`;
    }
    if (code === 'IllegalTimestamp') return "Alibaba rejected the request time: check this machine's clock";
    if (isThrottlingCode(code)) return `Alibaba kept throttling the requests: run the scan again later`;
    return undefined;
  }
}

/**
 * A server message without what it quotes of our request. Alibaba's SignatureDoesNotMatch message carries the
 * whole string it signed, which holds every parameter: for an upload the private key, with STS credentials the
 * SecurityToken (a credential sent beside the key id, signRpcRequest). Anything after "string to sign" goes; a
 * message that still shares 16 characters in a row with a parameter value of the caller's or the SecurityToken
 * (as sent, or percent-encoded once or twice) is withheld entirely. The AccessKeyId is not a secret (it is in every
 * request) but certwatch never prints it, so it is replaced by `<AccessKeyId>`; the AccessKey secret never goes on
 * the wire, so no message can quote it.
 */
export function withoutEchoedRequest(
  message: string,
  request: { params: Record<string, string>; credentials: SigningCredentials },
): string {
  const { params, credentials } = request;
  // An error message is a sentence or two; a longer one is not worth its cost (the search below is length × key).
  const clipped =
    message.length > MESSAGE_MAX_CHARACTERS ? `${message.slice(0, MESSAGE_MAX_CHARACTERS)}…` : message;
  const trimmed = clipped
    .replace(
      /\s*(?:server )?string ?to ?sign(?: is)?\s*:?[\s\S]*$/i,
      ' (the string to sign it quoted is omitted)',
    )
    .trim();
  const credentialValues = credentials.securityToken ? [credentials.securityToken] : [];
  if (quotesAny(trimmed, [...Object.values(params), ...credentialValues])) {
    return '(message withheld: it quoted the request, which may hold a key or token)';
  }
  const { accessKeyId } = credentials;
  return accessKeyId.length >= 4 ? trimmed.split(accessKeyId).join('<AccessKeyId>') : trimmed;
}

const WINDOW = 16;
const MESSAGE_MAX_CHARACTERS = 1000;

function quotesAny(message: string, values: string[]): boolean {
  if (message.length < WINDOW) return false;
  const haystacks = [message, message.toLowerCase()];
  for (const value of values) {
    for (const form of [value, percentEncode(value), percentEncode(percentEncode(value))]) {
      for (let i = 0; i + WINDOW <= form.length; i++) {
        const window = form.slice(i, i + WINDOW);
        if (haystacks.some((text) => text.includes(window) || text.includes(window.toLowerCase())))
          return true;
      }
    }
  }
  return false;
}

/** Proven not acted on: refused before it was sent, or throttled (rejected before it was processed). */
function wasNotActedOn(error: ProviderError): boolean {
  return error.code.startsWith('not-sent:') || isThrottlingCode(error.code);
}

export const CDN_VERSION = '2018-05-10';
export const SLB_VERSION = '2014-05-15';
export const DCDN_VERSION = '2018-01-15';
export const CAS_VERSION = '2020-04-07';
export const ALB_VERSION = '2020-06-16';
export const NLB_VERSION = '2022-04-30';
export const STS_VERSION = '2015-04-01';
export const RESOURCE_MANAGER_VERSION = '2020-03-31';

/**
 * Regions served by the central endpoint slb.aliyuncs.com; every other region has slb.{RegionId}.aliyuncs.com
 * (endpoint map of alibabacloud-go/slb-20140515).
 */
const CENTRAL_SLB_REGIONS = new Set([
  'cn-qingdao',
  'cn-beijing',
  'cn-hangzhou',
  'cn-shanghai',
  'cn-shenzhen',
  'cn-hongkong',
  'ap-southeast-1',
  'us-east-1',
  'us-west-1',
  'cn-hangzhou-finance',
  'cn-shanghai-finance-1',
  'cn-shenzhen-finance-1',
  'cn-north-2-gov-1',
]);

export function slbEndpointFor(regionId: string): string {
  return CENTRAL_SLB_REGIONS.has(regionId)
    ? 'https://slb.aliyuncs.com'
    : `https://slb.${regionId}.aliyuncs.com`;
}

/** Which product a client talks to; SLB, ALB and NLB endpoints depend on the region. */
export type AliyunTarget =
  | { product: 'CDN' }
  | { product: 'DCDN' }
  | { product: 'CAS' }
  | { product: 'SLB'; region: string }
  | { product: 'ALB'; region: string }
  | { product: 'NLB'; region: string }
  | { product: 'STS' }
  | { product: 'ResourceManager' };

/**
 * Each product's API version, the endpoint it is reached at, the setting that overrides it, and the RAM code its
 * actions are named under (`<code>:<Action>`, each product's "RAM authorization" doc).
 */
const PRODUCT_WIRING: {
  readonly [P in AliyunTarget['product']]: {
    version: string;
    setting: string;
    ramCode: string;
    endpoint(config: AliyunConfig, region: string): string;
  };
} = {
  CDN: {
    version: CDN_VERSION,
    setting: 'ALIBABA_CLOUD_CDN_ENDPOINT',
    ramCode: 'cdn',
    endpoint: (config) => config.cdnEndpoint,
  },
  DCDN: {
    version: DCDN_VERSION,
    setting: 'ALIBABA_CLOUD_DCDN_ENDPOINT',
    ramCode: 'dcdn',
    endpoint: (config) => config.dcdnEndpoint,
  },
  CAS: {
    version: CAS_VERSION,
    setting: 'ALIBABA_CLOUD_CAS_ENDPOINT',
    ramCode: 'yundun-cert',
    endpoint: (config) => config.casEndpoint,
  },
  SLB: {
    version: SLB_VERSION,
    setting: 'ALIBABA_CLOUD_SLB_ENDPOINT',
    ramCode: 'slb',
    endpoint: (config, region) => config.slbEndpoint ?? slbEndpointFor(region),
  },
  ALB: {
    version: ALB_VERSION,
    setting: 'ALIBABA_CLOUD_ALB_ENDPOINT',
    ramCode: 'alb',
    endpoint: (config, region) => config.albEndpoint ?? albEndpointFor(region),
  },
  NLB: {
    version: NLB_VERSION,
    setting: 'ALIBABA_CLOUD_NLB_ENDPOINT',
    ramCode: 'nlb',
    endpoint: (config, region) => config.nlbEndpoint ?? nlbEndpointFor(region),
  },
  STS: {
    version: STS_VERSION,
    setting: 'ALIBABA_CLOUD_STS_ENDPOINT',
    ramCode: 'sts',
    endpoint: (config) => config.stsEndpoint,
  },
  ResourceManager: {
    version: RESOURCE_MANAGER_VERSION,
    setting: 'ALIBABA_CLOUD_RESOURCE_MANAGER_ENDPOINT',
    ramCode: 'resourcemanager',
    endpoint: (config) => config.resourceManagerEndpoint,
  },
};

/** ALB is regional only: alb.{RegionId}.aliyuncs.com (endpoint rule of alibabacloud-go/alb-20200616). */
export function albEndpointFor(regionId: string): string {
  return `https://alb.${regionId}.aliyuncs.com`;
}

/** NLB is regional only: nlb.{RegionId}.aliyuncs.com (endpoint rule of alibabacloud-go/nlb-20220430). */
export function nlbEndpointFor(regionId: string): string {
  return `https://nlb.${regionId}.aliyuncs.com`;
}

/**
 * The client for one Alibaba product, configured as every caller (scan, upload, doctor) needs it. `retry`
 * replaces the default policy (doctor tries twice, to answer fast).
 */
export function aliyunClient(
  config: AliyunConfig,
  target: AliyunTarget,
  options: { requestTimeoutMs: number; retry?: RetryPolicy },
  deps: ProviderDeps = {},
): AliyunRpcClient {
  const wiring = PRODUCT_WIRING[target.product];
  const endpoint = wiring.endpoint(config, 'region' in target ? target.region : '');
  const { session } = config;
  return new AliyunRpcClient({
    credentials: session?.credentials ?? {
      accessKeyId: config.accessKeyId,
      accessKeySecret: config.accessKeySecret,
      securityToken: config.securityToken ?? undefined,
    },
    lane: session?.lane,
    endpoint,
    version: wiring.version,
    product: target.product,
    ramCode: wiring.ramCode,
    settings: {
      accessKeyId: session?.keyNames?.accessKeyId ?? 'ALIBABA_CLOUD_ACCESS_KEY_ID',
      accessKeySecret: session?.keyNames?.accessKeySecret ?? 'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
      endpoint: wiring.setting,
    },
    timeoutMs: options.requestTimeoutMs,
    retry: options.retry,
    ...transportFrom(deps),
  });
}
