/**
 * The emulated Alibaba Cloud RPC endpoints, CDN (`cdn.aliyuncs.com`), DCDN (`dcdn.aliyuncs.com`), SLB
 * (`slb.aliyuncs.com`), CAS (`cas.aliyuncs.com`), ALB and NLB (`alb.{RegionId}.aliyuncs.com`,
 * `nlb.{RegionId}.aliyuncs.com`), STS (`sts.aliyuncs.com`) and ResourceManager (`resourcemanager.aliyuncs.com`),
 * for every account of the fleet (./accounts.ts): one handler for all, since they share transport, common parameters, signature and
 * error shape; the server mounts it once per service. Requests are signed with the path `/` whatever the mount
 * point, as against the real hosts.
 *
 * Order of checks for one request, first failure wins:
 *   1. method GET or POST (else HTTP 405), body at most 1 MiB (else HTTP 413), a form body (else InvalidParameter);
 *   2. random faults, drawn per service: hang, throttle (`Throttling.User`, 400), transient error (half
 *      `ServiceUnavailable` 503, half `InternalError` 500);
 *   3. Action present (MissingParameter), Version present (MissingParameter) and the service's
 *      (InvalidVersion, 400), Action known to this service (`InvalidAction.NotFound`, 404);
 *   4. the other common parameters present (MissingParameter, in the order Format, AccessKeyId, SignatureMethod,
 *      SignatureVersion, SignatureNonce, Timestamp, Signature); Format JSON, any case (else InvalidParameter: the
 *      emulator speaks no XML); SignatureMethod `HMAC-SHA1` and SignatureVersion `1.0` (else IncompleteSignature);
 *      Timestamp `yyyy-MM-ddTHH:mm:ssZ` and within 15 minutes of the clock (else IllegalTimestamp);
 *   5. AccessKeyId known, a long-term key of some account or an STS key the emulator issued and still remembers
 *      (`InvalidAccessKeyId.NotFound`, 404), Signature right (SignatureDoesNotMatch, 400 or
 *      `signatureMismatchStatus`); for an STS key, its SecurityToken parameter present, its own and not expired
 *      (`InvalidSecurityToken.Malformed` / `.MismatchWithAccessKey` / `.Expired`, 400). The request is then served
 *      from the key's account: a long-term key's, or the account of the role an STS key was issued for;
 *   6. SignatureNonce unused by this AccessKeyId, on either service, in the last 15 minutes (SignatureNonceUsed).
 *      Only correctly signed requests spend a nonce, so a forged request cannot burn someone else's;
 *   7. rate limits (`rateLimiter`: per account and Action, across the services and the account's keys, long-term
 *      and STS alike; over the limit ->
 *      `Throttling.User`, 400, or the action's documented throttling reply: `Throttling`, 503, for CDN's HTTPS
 *      domain list);
 *   8. forced failures (`failures`), matched on service, action, RegionId and account;
 *   9. the action itself.
 * Every reply carries a fresh RequestId (an upper-case UUID, as Alibaba writes them), in the body and in the
 * `x-acs-request-id` header. Errors are JSON `{RequestId, HostId, Code, Message, Recommend}` with a 4xx/5xx status
 * (Alibaba API error docs). Throttling replies carry `x-acs-retry-after` when `retryAfterSeconds` is set.
 */
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import {
  type BrokenReply,
  createFaultPicker,
  type FaultOptions,
  type RandomFault,
  sendBroken,
} from '../faults';
import type { Fleet } from '../fleet/model';
import type { RateLimiter } from '../rateLimits';
import { type AliyunAccounts, createAliyunAccounts } from './accounts';
import type { AliyunAction, AliyunCaller } from './action';
import { ALB_API_VERSION, createAlbActions } from './alb';
import { CAS_API_VERSION, createCasActions, isCertFiltered } from './cas';
import { CDN_API_VERSION, createCdnActions, MAX_CDN_PAGE_SIZE } from './cdn';
import { type AliyunError, aliyunError, isThrottlingCode, messageOfCode, statusOfCode } from './errors';
import { createDcdnActions, DCDN_API_VERSION } from './httpsDomains';
import { createNlbActions, NLB_API_VERSION } from './nlb';
import { type AliyunParams, parseAliyunParams } from './params';
import { createResourceManagerActions, RESOURCE_MANAGER_API_VERSION } from './resourceManager';
import { verifyAliyunSignature } from './signature';
import { createSlbActions, isoSeconds, SLB_API_VERSION } from './slb';
import type { AliyunStore } from './store';
import {
  createStsActions,
  roleArnAccountId,
  STS_API_VERSION,
  StsCredentialLedger,
  securityTokenProblem,
} from './sts';

export type AliyunService = 'cdn' | 'dcdn' | 'slb' | 'cas' | 'alb' | 'nlb' | 'sts' | 'resourcemanager';

/**
 * A failure forced on the requests it matches (all given selectors must match; none given = every request that
 * got past authentication). The reply is no reply at all (`hang`), the action's real reply broken on the way back
 * after the action was carried out (`broken`: an upload is stored; see BrokenReply), or a JSON error with `code`
 * (default InternalError), `message` (default: the code's usual message) and `httpStatus` (default: the code's
 * usual status, 400 for codes the emulator does not know; 200 acts out a gateway that wraps an error in a success).
 * A Throttling-like code counts as throttling and gets `x-acs-retry-after` like a random one.
 */
export interface AliyunForcedFailure {
  service?: AliyunService;
  action?: string;
  /** Matched against the RegionId parameter. */
  region?: string;
  /**
   * Matched against the account the request concerns: the one it is served from (its credentials' account), or
   * for AssumeRole the account of the role its RoleArn names, so one account's role can be made unassumable.
   */
  accountId?: string;
  code?: string;
  message?: string;
  httpStatus?: number;
  hang?: boolean;
  broken?: BrokenReply;
  /**
   * Answer with this HTTP status and an HTML page, as a gateway in front of the API does (502, 503, 504), instead
   * of Alibaba's JSON error.
   */
  gatewayStatus?: number;
  /**
   * Carry the action out, then answer with the error all the same: a request a proxy or the network sent twice,
   * whose first copy was acted on and whose second is refused (SignatureNonceUsed), as the client sees it.
   */
  actedOn?: boolean;
  /** Fail only the first `times` matching requests, then answer normally (for retry tests). Default: always. */
  times?: number;
}

export interface AliyunEmulatorOptions extends FaultOptions {
  /**
   * What the accounts hold. No `aliyun.accounts` -> the main account has one key pair, demo-access-key-id /
   * demo-access-key-secret.
   */
  fleet?: Fleet;
  failures?: AliyunForcedFailure[];
  /**
   * The emulator's clock, epoch milliseconds: Timestamp checks, nonce expiry, upload times, STS Expiration.
   * Default Date.now.
   */
  clock?: () => number;
  /** DescribeCdnSSLCertificateList's Count: the total matching (true, default) or the page's length (false). */
  cdnCountIsTotal?: boolean;
  /**
   * Adds `x-acs-retry-after` to every throttling reply. The header's value is MILLISECONDS (this times 1000,
   * rounded): the unit Alibaba's own SDKs read it in (Darabonba tea-openapi, "retryAfter" in ms), whatever this
   * option's name suggests. Default: no header.
   */
  retryAfterSeconds?: number;
  /** HTTP status of SignatureDoesNotMatch: 400 (default, what the gateway sends in practice) or 403. */
  signatureMismatchStatus?: 400 | 403;
  /** Per-API rate limits, usually shared with the other services (../server.ts). Default: none. */
  rateLimiter?: RateLimiter;
  /**
   * Largest page DescribeCdnSSLCertificateList returns; a larger PageSize is clamped and the reply's PageSize says
   * so. Default 1000, the documented maximum.
   */
  cdnMaxPageSize?: number;
  /**
   * Largest page CAS (ShowSize), CDN's and DCDN's HTTPS domain lists (PageSize) and ALB/NLB (MaxResults) serve: a
   * larger size asked is served this many, and the reply's page size (ShowSize, MaxResults) says so. A test's knob,
   * so a small fleet spans pages. Default: each API's own maximum.
   */
  listPageCap?: number;
  /**
   * Called for every authenticated request that gets past forced failures (and for those acted on before they
   * fail), before its action runs: a test may change what the account holds (a list shifting between pages),
   * run the action with other parameters (a page that repeats) or bend its reply (a total that lies, an id listed
   * twice).
   */
  onAction?: (call: AliyunCall, fleet: AliyunFleetEditor) => AliyunTwist | undefined;
}

/** A request as the `onAction` hook sees it, after authentication. */
export interface AliyunCall {
  service: AliyunService;
  action: string;
  params: Readonly<AliyunParams>;
  /** The account the request is served from (the caller's). */
  accountId: string;
  /** 1 for the first call of this action on this service, 2 for the next, and so on. */
  call: number;
}

/** How a hook bends one request: the parameters the action runs with, and a rewrite of its successful reply. */
export interface AliyunTwist {
  /** Merged over the request's parameters. */
  params?: Record<string, string>;
  reply?: (body: Record<string, unknown>) => Record<string, unknown>;
}

/** What an `onAction` hook may change in the emulated account the request is served from: the store's edits. */
export type AliyunFleetEditor = Pick<
  AliyunStore,
  | 'addCdnCertificate'
  | 'removeCdnCertificate'
  | 'addCasCertificate'
  | 'removeCasCertificate'
  | 'addHttpsDomain'
  | 'removeHttpsDomain'
  | 'addListenerCertificate'
  | 'removeListenerCertificate'
>;

/** Live counters of one service; read them at any time (copy with structuredClone for a snapshot). */
export interface AliyunServiceStats {
  /** HTTP requests received. */
  requests: number;
  /** Requests by their Action parameter (`(none)` when missing). */
  byAction: Record<string, number>;
  /** Replies by HTTP status. */
  byStatus: Record<string, number>;
  /** Error replies by Code. */
  errorCodes: Record<string, number>;
  /** Throttling replies: random, forced or over a rate limit. */
  throttled: number;
  /** The same replies by Action. */
  throttledByAction: Record<string, number>;
  /** Requests refused by the rate limits (each also counted in `throttled`). */
  rateLimited: number;
  /** Injected failures other than throttling: random ServiceUnavailable / InternalError, and forced failures. */
  errors: number;
  /** Requests deliberately left unanswered. */
  hung: number;
  /** Certificates listed: Cert items, CertInfo items, ServerCertificate items. */
  certificatesReturned: number;
  /** Successful UploadServerCertificate calls. */
  uploads: number;
  /** Requests by their User-Agent header (`(none)` when missing). */
  userAgents: Record<string, number>;
  /**
   * CAS only: GetUserCertificateDetail requests received without CertFilter=true, whatever their outcome: each
   * asked for the certificate's private key.
   */
  unfilteredDetails?: number;
  /**
   * Requests past the rate limits (so answered, unless a fault is injected), by the calling account and then by
   * Action: what the bench's per-account lower bound counts, the limits being per account. Kept only when rate
   * limits are on.
   */
  admittedByAccount?: Record<string, Record<string, number>>;
}

export interface AliyunEmulatorStats {
  cdn: AliyunServiceStats;
  dcdn: AliyunServiceStats;
  slb: AliyunServiceStats;
  cas: AliyunServiceStats;
  alb: AliyunServiceStats;
  nlb: AliyunServiceStats;
  sts: AliyunServiceStats;
  resourcemanager: AliyunServiceStats;
}

export interface AliyunHandler {
  /** Serves one HTTP request for `service` (reads its body itself). */
  handle(service: AliyunService, request: IncomingMessage, response: ServerResponse): void;
  stats: AliyunEmulatorStats;
  /** Cancels replies still waiting out their latency. Hung requests end when their sockets are closed. */
  close(): void;
}

/** Alibaba's window for both the Timestamp and SignatureNonce uniqueness (Alibaba "Common parameters" doc). */
export const ALIYUN_REPLAY_WINDOW_MS = 15 * 60 * 1000;

const MAX_BODY_BYTES = 1024 * 1024;
const COMMON_PARAMETERS = [
  'Format',
  'AccessKeyId',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'Timestamp',
  'Signature',
] as const;

interface ServiceState {
  version: string;
  /** HostId in error replies: the real endpoint's host. */
  host: string;
  /** Product name in Recommend links. */
  product: string;
  actions: Record<string, AliyunAction>;
  /** The reply to a request over its rate limit, where the action documents its own (default Throttling.User). */
  throttling?: Readonly<Record<string, AliyunError>>;
  pickFault: () => RandomFault;
  stats: AliyunServiceStats;
}

type Outcome =
  | { kind: 'json'; status: number; body: Record<string, unknown>; retryAfter: boolean; broken?: BrokenReply }
  | { kind: 'gateway'; status: number }
  | { kind: 'hang' };

/** Builds the Alibaba endpoints for one fleet. Mount `handle('cdn', ...)` and `handle('slb', ...)`. */
export function createAliyunHandler(options: AliyunEmulatorOptions = {}): AliyunHandler {
  const accounts: AliyunAccounts = createAliyunAccounts(options.fleet);
  const credentials = new StsCredentialLedger();
  const clock = options.clock ?? Date.now;
  const retryAfterMs = readRetryAfter(options.retryAfterSeconds);
  const mismatchStatus = options.signatureMismatchStatus ?? 400;
  if (mismatchStatus !== 400 && mismatchStatus !== 403) {
    throw new RangeError(`signatureMismatchStatus must be 400 or 403, got ${mismatchStatus}`);
  }
  const failures = (options.failures ?? []).map((rule) => ({ rule, remaining: rule.times ?? Infinity }));
  const nonces = new NonceLedger();
  const callCounts = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const services: Record<AliyunService, ServiceState> = {
    cdn: {
      version: CDN_API_VERSION,
      host: 'cdn.aliyuncs.com',
      product: 'Cdn',
      actions: createCdnActions({
        countIsTotal: options.cdnCountIsTotal ?? true,
        maxPageSize: options.cdnMaxPageSize ?? MAX_CDN_PAGE_SIZE,
      }),
      // CDN documents `Throttling` with HTTP 503 for its HTTPS domain list (reference §5).
      throttling: { DescribeCdnHttpsDomainList: { ...aliyunError('Throttling'), status: 503 } },
      // Each service draws its own faults, so one service's traffic never shifts the other's.
      pickFault: createFaultPicker(options),
      stats: emptyStats(),
    },
    dcdn: {
      version: DCDN_API_VERSION,
      host: 'dcdn.aliyuncs.com',
      product: 'Dcdn',
      actions: createDcdnActions(),
      pickFault: createFaultPicker(options),
      stats: emptyStats(),
    },
    slb: {
      version: SLB_API_VERSION,
      host: 'slb.aliyuncs.com',
      product: 'Slb',
      actions: createSlbActions(),
      pickFault: createFaultPicker(options),
      stats: emptyStats(),
    },
    cas: {
      version: CAS_API_VERSION,
      host: 'cas.aliyuncs.com',
      product: 'cas',
      actions: createCasActions(),
      pickFault: createFaultPicker(options),
      stats: { ...emptyStats(), unfilteredDetails: 0 },
    },
    // Regional hosts (alb.{RegionId}.aliyuncs.com): the HostId names the central one.
    alb: {
      version: ALB_API_VERSION,
      host: 'alb.aliyuncs.com',
      product: 'Alb',
      actions: createAlbActions(),
      pickFault: createFaultPicker(options),
      stats: emptyStats(),
    },
    nlb: {
      version: NLB_API_VERSION,
      host: 'nlb.aliyuncs.com',
      product: 'Nlb',
      actions: createNlbActions(),
      pickFault: createFaultPicker(options),
      stats: emptyStats(),
    },
    sts: {
      version: STS_API_VERSION,
      host: 'sts.aliyuncs.com',
      product: 'Sts',
      actions: createStsActions(credentials),
      pickFault: createFaultPicker(options),
      stats: emptyStats(),
    },
    resourcemanager: {
      version: RESOURCE_MANAGER_API_VERSION,
      host: 'resourcemanager.aliyuncs.com',
      product: 'ResourceManager',
      actions: createResourceManagerActions(),
      pickFault: createFaultPicker(options),
      stats: emptyStats(),
    },
  };

  function respond(
    name: AliyunService,
    request: IncomingMessage,
    body: Buffer,
  ): { outcome: Outcome; latencyMs: number; action: string | undefined } {
    const service = services[name];
    const { stats } = service;
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://emulator');
    const { params, problem } = parseAliyunParams(
      method,
      request.headers['content-type'],
      url.searchParams,
      body,
    );
    const action = params.Action || undefined;
    stats.byAction[action ?? '(none)'] = (stats.byAction[action ?? '(none)'] ?? 0) + 1;
    const agent = request.headers['user-agent'] ?? '(none)';
    stats.userAgents[agent] = (stats.userAgents[agent] ?? 0) + 1;
    if (name === 'cas' && action === 'GetUserCertificateDetail' && !isCertFiltered(params)) {
      stats.unfilteredDetails = (stats.unfilteredDetails ?? 0) + 1;
    }

    const fault = service.pickFault();
    if (fault.kind === 'hang') return { outcome: { kind: 'hang' }, latencyMs: 0, action };
    const reply = (outcome: Outcome) => ({ outcome, latencyMs: fault.latencyMs, action });
    const error = (failure: AliyunError) => reply(errorOutcome(service, failure));
    if (fault.kind === 'throttle') return error(aliyunError('Throttling.User'));
    if (fault.kind === 'error') {
      stats.errors++;
      return error(aliyunError(fault.variant === 'http' ? 'ServiceUnavailable' : 'InternalError'));
    }
    if (problem !== undefined) return error(aliyunError('InvalidParameter', 'Content-Type', problem));

    const checked = checkRequest(service, method, params);
    if ('refusal' in checked) return error(checked.refusal);
    const { caller } = checked;
    const handler = service.actions[action!]!;
    // After authentication: a quota belongs to an account (all its keys, long-term and STS, share it; reference
    // §6 and the per-account limits of each API), and a forged request must not spend it. ALB and NLB share
    // action names (ListListeners) but not quotas: their buckets are their own.
    const accountId = caller.account.accountId;
    const quota = name === 'alb' || name === 'nlb' ? `aliyun ${accountId} ${name}` : `aliyun ${accountId}`;
    if (options.rateLimiter) {
      if (!options.rateLimiter.admit(quota, action!)) {
        stats.rateLimited++;
        return error(service.throttling?.[action!] ?? aliyunError('Throttling.User'));
      }
      stats.admittedByAccount ??= Object.create(null) as Record<string, Record<string, number>>;
      const admitted = stats.admittedByAccount[accountId] ?? (Object.create(null) as Record<string, number>);
      admitted[action!] = (admitted[action!] ?? 0) + 1;
      stats.admittedByAccount[accountId] = admitted;
    }

    const subject = name === 'sts' ? (roleArnAccountId(params.RoleArn) ?? accountId) : accountId;
    const forced = takeForcedFailure(name, action!, params.RegionId, subject);
    if (forced) {
      if (forced.hang) {
        stats.errors++;
        return { outcome: { kind: 'hang' }, latencyMs: 0, action };
      }
      if (forced.broken) {
        stats.errors++;
        return reply({ ...perform(), broken: forced.broken });
      }
      if (forced.gatewayStatus !== undefined) {
        stats.errors++;
        return reply({ kind: 'gateway', status: forced.gatewayStatus });
      }
      const code = forced.code ?? 'InternalError';
      if (!isThrottlingCode(code)) stats.errors++;
      if (forced.actedOn) perform();
      return error({
        status: forced.httpStatus ?? statusOfCode(code),
        code,
        message: forced.message ?? messageOfCode(code),
      });
    }
    return reply(perform());

    function perform(): Extract<Outcome, { kind: 'json' }> {
      const { store } = caller.account;
      const twist = bend(name, action!, params, store, accountId);
      const result = handler({
        params: { ...params, ...twist?.params },
        store,
        now: clock(),
        pageCap: options.listPageCap,
        caller,
        accounts,
      });
      if (!result.ok) return errorOutcome(service, result.error);
      stats.certificatesReturned += result.certificatesReturned ?? 0;
      if (result.uploaded) stats.uploads++;
      const body = twist?.reply ? twist.reply(result.body) : result.body;
      return { kind: 'json', status: 200, body, retryAfter: false };
    }
  }

  /** Steps 3–6: the request is well formed, signed, fresh and for an action this service has; who sent it. */
  function checkRequest(
    service: ServiceState,
    method: string,
    params: AliyunParams,
  ): { refusal: AliyunError } | { caller: AliyunCaller } {
    const refuse = (refusal: AliyunError) => ({ refusal });
    if (!params.Action) return refuse(aliyunError('MissingParameter', 'Action'));
    if (!params.Version) return refuse(aliyunError('MissingParameter', 'Version'));
    if (params.Version !== service.version) return refuse(aliyunError('InvalidVersion'));
    if (!Object.hasOwn(service.actions, params.Action)) return refuse(aliyunError('InvalidAction.NotFound'));
    for (const name of COMMON_PARAMETERS) {
      if (!params[name]) return refuse(aliyunError('MissingParameter', name));
    }
    if (params.Format!.toUpperCase() !== 'JSON') {
      return refuse(aliyunError('InvalidParameter', 'Format', 'the emulator answers JSON only'));
    }
    if (params.SignatureMethod !== 'HMAC-SHA1' || params.SignatureVersion !== '1.0') {
      return refuse(aliyunError('IncompleteSignature'));
    }
    const now = clock();
    const timestamp = readTimestamp(params.Timestamp!);
    if (timestamp === undefined) {
      return refuse(aliyunError('IllegalTimestamp', '', 'expected yyyy-MM-ddTHH:mm:ssZ in UTC'));
    }
    if (Math.abs(now - timestamp) > ALIYUN_REPLAY_WINDOW_MS) {
      return refuse(
        aliyunError('IllegalTimestamp', '', `more than 15 minutes from the server time ${isoSeconds(now)}`),
      );
    }
    const accessKeyId = params.AccessKeyId!;
    const longTerm = accounts.key(accessKeyId);
    // STS keys are `STS.` + random; a long-term key of that spelling in a fleet still reads as long-term.
    const temporary = longTerm ? undefined : credentials.get(accessKeyId);
    const account = longTerm?.account ?? (temporary && accounts.byId(temporary.accountId));
    const secret = longTerm?.secret ?? temporary?.accessKeySecret;
    if (!account || secret === undefined) return refuse(aliyunError('InvalidAccessKeyId.NotFound'));
    if (!verifyAliyunSignature(method, params, secret)) {
      return refuse({ ...aliyunError('SignatureDoesNotMatch'), status: mismatchStatus });
    }
    // The token is a signed parameter like any other (V1), so it is checked after the signature. A long-term
    // key's request that carries one anyway is served: the emulator does not know what Alibaba does with it.
    if (temporary) {
      const problem = securityTokenProblem(temporary, params.SecurityToken, now);
      if (problem) return refuse(aliyunError(problem));
    }
    if (!nonces.spend(`${accessKeyId}\n${params.SignatureNonce}`, now)) {
      return refuse(aliyunError('SignatureNonceUsed'));
    }
    return { caller: { account, accessKeyId, temporary: temporary !== undefined } };
  }

  function errorOutcome(service: ServiceState, failure: AliyunError): Extract<Outcome, { kind: 'json' }> {
    const throttled = isThrottlingCode(failure.code);
    return {
      kind: 'json',
      status: failure.status,
      retryAfter: throttled && retryAfterMs !== undefined,
      body: {
        HostId: service.host,
        Code: failure.code,
        Message: failure.message,
        Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(failure.code)}&product=${service.product}`,
      },
    };
  }

  function bend(
    service: AliyunService,
    action: string,
    params: AliyunParams,
    store: AliyunStore,
    accountId: string,
  ): AliyunTwist | undefined {
    if (!options.onAction) return undefined;
    const key = `${service} ${action}`;
    const call = (callCounts.get(key) ?? 0) + 1;
    callCounts.set(key, call);
    return options.onAction({ service, action, params, accountId, call }, store);
  }

  function takeForcedFailure(
    service: AliyunService,
    action: string,
    region: string | undefined,
    accountId: string,
  ) {
    for (const entry of failures) {
      const { rule } = entry;
      if (entry.remaining <= 0) continue;
      if (rule.service !== undefined && rule.service !== service) continue;
      if (rule.action !== undefined && rule.action !== action) continue;
      if (rule.region !== undefined && rule.region !== region) continue;
      if (rule.accountId !== undefined && rule.accountId !== accountId) continue;
      entry.remaining--;
      return rule;
    }
    return undefined;
  }

  function send(
    service: ServiceState,
    response: ServerResponse,
    outcome: Outcome,
    action: string | undefined,
  ): void {
    const { stats } = service;
    if (outcome.kind === 'hang') {
      stats.hung++;
      return;
    }
    if (response.destroyed) return;
    if (outcome.kind === 'gateway') {
      const reason = STATUS_CODES[outcome.status] ?? 'Error';
      // What a gateway in front of the API sends: an HTML page, not Alibaba's JSON.
      writeReply(
        stats,
        response,
        outcome.status,
        'text/html',
        `<html><head><title>${outcome.status} ${reason}</title></head><body><center><h1>${outcome.status} ${reason}</h1></center></body></html>`,
      );
      return;
    }
    const requestId = randomUUID().toUpperCase();
    const code = outcome.body.Code;
    if (typeof code === 'string') {
      stats.errorCodes[code] = (stats.errorCodes[code] ?? 0) + 1;
      if (isThrottlingCode(code)) {
        stats.throttled++;
        const name = action ?? '(none)';
        stats.throttledByAction[name] = (stats.throttledByAction[name] ?? 0) + 1;
      }
    }
    // RequestId first, as Alibaba orders it; for errors the Recommend link names the request too.
    const body: Record<string, unknown> = { RequestId: requestId, ...outcome.body };
    if (typeof body.Recommend === 'string') body.Recommend = `${body.Recommend}&requestId=${requestId}`;
    const headers: Record<string, string> = { 'x-acs-request-id': requestId };
    if (outcome.retryAfter && retryAfterMs !== undefined) headers['x-acs-retry-after'] = String(retryAfterMs);
    if (outcome.broken) {
      stats.byStatus[outcome.status] = (stats.byStatus[outcome.status] ?? 0) + 1;
      const contentType = 'application/json;charset=utf-8';
      const payload = Buffer.from(JSON.stringify(body), 'utf8');
      sendBroken(
        response,
        outcome.broken,
        outcome.status,
        { ...headers, 'Content-Type': contentType },
        payload,
      );
      return;
    }
    writeReply(
      stats,
      response,
      outcome.status,
      'application/json;charset=utf-8',
      JSON.stringify(body),
      headers,
    );
  }

  return {
    stats: {
      cdn: services.cdn.stats,
      dcdn: services.dcdn.stats,
      slb: services.slb.stats,
      cas: services.cas.stats,
      alb: services.alb.stats,
      nlb: services.nlb.stats,
      sts: services.sts.stats,
      resourcemanager: services.resourcemanager.stats,
    },
    handle(name, request, response) {
      const service = services[name];
      service.stats.requests++;
      if (request.method !== 'GET' && request.method !== 'POST') {
        response.setHeader('Allow', 'GET, POST');
        writeReply(service.stats, response, 405, 'text/plain; charset=utf-8', 'Method Not Allowed');
        request.resume();
        return;
      }
      readBody(request, (body) => {
        if (body === undefined) {
          writeReply(service.stats, response, 413, 'text/plain; charset=utf-8', 'Request body too large');
          return;
        }
        const { outcome, latencyMs, action } = respond(name, request, body);
        if (latencyMs <= 0 || outcome.kind === 'hang') {
          send(service, response, outcome, action);
          return;
        }
        const timer = setTimeout(() => {
          timers.delete(timer);
          send(service, response, outcome, action);
        }, latencyMs);
        timers.add(timer);
      });
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

/**
 * SignatureNonces seen in the replay window. Entries are kept in insertion order, which is clock order while the
 * clock only moves forward, so expired ones are swept from the front.
 */
class NonceLedger {
  readonly #expiries = new Map<string, number>();

  /** Records the nonce and says whether it was fresh. */
  spend(key: string, now: number): boolean {
    for (const [seen, expiry] of this.#expiries) {
      if (expiry > now) break;
      this.#expiries.delete(seen);
    }
    const expiry = this.#expiries.get(key);
    if (expiry !== undefined && expiry > now) return false;
    this.#expiries.delete(key);
    this.#expiries.set(key, now + ALIYUN_REPLAY_WINDOW_MS);
    return true;
  }
}

/** `yyyy-MM-ddTHH:mm:ssZ` as epoch milliseconds; undefined for any other layout or an impossible date. */
function readTimestamp(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(text)) return undefined;
  const ms = Date.parse(text);
  // Date.parse rolls 2024-02-30 over to March; the round trip catches it.
  return Number.isFinite(ms) && isoSeconds(ms) === text ? ms : undefined;
}

function readRetryAfter(seconds: number | undefined): number | undefined {
  if (seconds === undefined) return undefined;
  if (!(Number.isFinite(seconds) && seconds >= 0)) {
    throw new RangeError(`retryAfterSeconds must be a number >= 0, got ${seconds}`);
  }
  return Math.round(seconds * 1000);
}

function emptyStats(): AliyunServiceStats {
  return {
    requests: 0,
    byAction: Object.create(null),
    byStatus: Object.create(null),
    errorCodes: Object.create(null),
    throttled: 0,
    throttledByAction: Object.create(null),
    rateLimited: 0,
    errors: 0,
    hung: 0,
    certificatesReturned: 0,
    uploads: 0,
    userAgents: Object.create(null),
  };
}

/** Collects the body; `undefined` when it exceeds MAX_BODY_BYTES (the rest is drained, not buffered). */
function readBody(request: IncomingMessage, done: (body: Buffer | undefined) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  request.on('end', () => done(size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined));
  request.on('error', () => {});
}

function writeReply(
  stats: AliyunServiceStats,
  response: ServerResponse,
  status: number,
  contentType: string,
  text: string,
  headers: Record<string, string> = {},
): void {
  stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
  const payload = Buffer.from(text, 'utf8');
  response.writeHead(status, {
    'x-acs-request-id': randomUUID().toUpperCase(),
    ...headers,
    'Content-Type': contentType,
    'Content-Length': payload.length,
  });
  response.end(payload);
}
