/**
 * The emulated UCloud API endpoint (https://api.ucloud.cn, POST /): transport, faults, authentication, actions.
 *
 * Order of checks for one request, first failure wins:
 *   1. body readable and parseable (else RetCode 230, emulator-chosen; body over 1 MiB -> HTTP 413);
 *   2. random faults: hang, throttle (153), transient error (HTTP 503 or RetCode 150);
 *   3. Action present (160);
 *   4. Signature present (170), PublicKey known (172), Signature correct (171);
 *   5. Action known (161);
 *   6. rate limits (`rateLimiter`: per PublicKey and Action; over the limit -> RetCode 153);
 *   7. forced failures (`failures`), matched on action, Region and the resolved ProjectId;
 *   8. the action itself (DescribeSSLV2 first calls `onDescribeSslV2`, when given).
 * Every reply, errors included, carries a fresh `X-UCLOUD-REQUEST-UUID` header. JSON replies are HTTP 200.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { type BrokenReply, createFaultPicker, type FaultOptions, sendBroken } from '../faults';
import type { Fleet, UcloudAccount, UcloudFleetCertificate } from '../fleet/model';
import type { RateLimiter } from '../rateLimits';
import {
  DEFAULT_MAX_LIMIT,
  type DescribeSslV2Call,
  type DescribeSslV2Twist,
  describeSslV2,
} from './describeSslV2';
import { parseUcloudParams, type UcloudParams } from './params';
import { DEFAULT_MESSAGES, RetCode, type UcloudReplyBody, ucloudError } from './retCodes';
import { verifyUcloudSignature } from './signature';
import { createUcloudStore, type UcloudStore } from './store';

/**
 * A failure forced on the requests it matches (all given selectors must match; none given = every request).
 * The reply is, in order of precedence: no reply at all (`hang`), the action's real reply broken on the way back
 * (`broken`: see BrokenReply), a bare HTTP error (`httpStatus`), or an HTTP 200 JSON error with `retCode`
 * (default 150) and `message` (default: the code's usual message).
 */
export interface UcloudForcedFailure {
  action?: string;
  region?: string;
  /** Matched against the ProjectId the request resolves to (the account's default when it names none). */
  project?: string;
  retCode?: number;
  message?: string;
  httpStatus?: number;
  hang?: boolean;
  broken?: BrokenReply;
  /** Fail only the first `times` matching requests, then answer normally (for retry tests). Default: always. */
  times?: number;
}

export interface UcloudEmulatorOptions extends FaultOptions {
  /** What the account holds. No `ucloud.accounts` -> one account, demo-public-key / demo-private-key. */
  fleet?: Fleet;
  failures?: UcloudForcedFailure[];
  /** Largest page DescribeSSLV2 returns; a larger Limit is clamped. Default 1000 (the real maximum is UNVERIFIED). */
  maxLimit?: number;
  /** Per-API rate limits, usually shared with the other services (../server.ts). Default: none. */
  rateLimiter?: RateLimiter;
  /**
   * Called for every authenticated DescribeSSLV2 that gets past forced failures, before its page is read: a test
   * may add or remove certificates there (the list shifting between pages) and bend the reply (DescribeSslV2Twist).
   */
  onDescribeSslV2?: (call: DescribeSslV2Call, fleet: UcloudFleetEditor) => DescribeSslV2Twist | undefined;
}

/** What a DescribeSSLV2 hook may change in the emulated account. */
export interface UcloudFleetEditor {
  add(certificate: UcloudFleetCertificate, at?: 'first' | 'last'): void;
  /** False when no certificate has this SSLId. */
  remove(sslId: string): boolean;
}

/** Live counters; read them at any time (copy with structuredClone for a snapshot). */
export interface UcloudEmulatorStats {
  /** HTTP requests received. */
  requests: number;
  /** Requests by their Action parameter (`(none)` when missing or unreadable). */
  byAction: Record<string, number>;
  /** JSON replies by RetCode. */
  retCodes: Record<string, number>;
  /** Replies with RetCode 153: random, forced or over a rate limit. */
  throttled: number;
  /** The same replies by Action. */
  throttledByAction: Record<string, number>;
  /** Requests refused by the rate limits (each also counted in `throttled`). */
  rateLimited: number;
  /** Injected failures other than throttling: random HTTP 503 / RetCode 150, and forced failures. */
  errors: number;
  /** Replies with an HTTP status other than 200. */
  httpErrors: number;
  /** Requests deliberately left unanswered. */
  hung: number;
  /** DataSet items sent by DescribeSSLV2. */
  certificatesReturned: number;
  /** Requests by their User-Agent header (`(none)` when missing). */
  userAgents: Record<string, number>;
}

export interface UcloudHandler {
  /** Serves one HTTP request (reads its body itself). Mount it wherever the UCloud base URL points. */
  handle(request: IncomingMessage, response: ServerResponse): void;
  stats: UcloudEmulatorStats;
  /** Cancels replies still waiting out their latency. Hung requests end when their sockets are closed. */
  close(): void;
}

type ActionHandler = (context: ActionContext) => UcloudReplyBody;
interface ActionContext {
  params: UcloudParams;
  account: UcloudAccount;
  project: string | undefined;
}

type Outcome =
  | { kind: 'json'; action: string | undefined; body: UcloudReplyBody }
  | { kind: 'http'; status: number }
  | { kind: 'broken'; how: BrokenReply; action: string | undefined; body: UcloudReplyBody }
  | { kind: 'hang' };

const MAX_BODY_BYTES = 1024 * 1024;

/** Builds the UCloud endpoint for one fleet. The server mounts it; it can be mounted in any node:http server. */
export function createUcloudHandler(options: UcloudEmulatorOptions = {}): UcloudHandler {
  const store: UcloudStore = createUcloudStore(options.fleet);
  const pickFault = createFaultPicker(options);
  const maxLimit = options.maxLimit ?? DEFAULT_MAX_LIMIT;
  if (!(Number.isInteger(maxLimit) && maxLimit > 0)) {
    throw new RangeError(`maxLimit must be a positive integer, got ${maxLimit}`);
  }
  const failures = (options.failures ?? []).map((rule) => ({ rule, remaining: rule.times ?? Infinity }));
  const timers = new Set<NodeJS.Timeout>();
  const stats: UcloudEmulatorStats = {
    requests: 0,
    byAction: Object.create(null),
    retCodes: Object.create(null),
    throttled: 0,
    throttledByAction: Object.create(null),
    rateLimited: 0,
    errors: 0,
    httpErrors: 0,
    hung: 0,
    certificatesReturned: 0,
    userAgents: Object.create(null),
  };
  const describeCalls = new Map<string, number>();
  const hook = options.onDescribeSslV2;
  const twist = hook
    ? (call: Omit<DescribeSslV2Call, 'call'>) => {
        const key = `${call.region}\u0000${call.project}`;
        const count = (describeCalls.get(key) ?? 0) + 1;
        describeCalls.set(key, count);
        return hook({ ...call, call: count }, { add: store.add, remove: store.remove });
      }
    : undefined;

  const actions: Record<string, ActionHandler> = {
    DescribeSSLV2: ({ params, account, project }) => {
      const body = describeSslV2({ store, account, maxLimit }, params, project, twist);
      if (Array.isArray(body.DataSet)) stats.certificatesReturned += body.DataSet.length;
      return body;
    },
  };

  function respond(request: IncomingMessage, body: Buffer): { outcome: Outcome; latencyMs: number } {
    const url = new URL(request.url ?? '/', 'http://emulator');
    const { params, problem } = parseUcloudParams(
      request.method ?? 'GET',
      request.headers['content-type'],
      url.searchParams,
      body,
    );
    const action = params.Action || undefined;
    stats.byAction[action ?? '(none)'] = (stats.byAction[action ?? '(none)'] ?? 0) + 1;
    const agent = request.headers['user-agent'] ?? '(none)';
    stats.userAgents[agent] = (stats.userAgents[agent] ?? 0) + 1;

    const fault = pickFault();
    if (fault.kind === 'hang') return { outcome: { kind: 'hang' }, latencyMs: 0 };
    const json = (replyBody: UcloudReplyBody): { outcome: Outcome; latencyMs: number } => ({
      outcome: { kind: 'json', action, body: replyBody },
      latencyMs: fault.latencyMs,
    });
    if (fault.kind === 'throttle') return json(ucloudError(RetCode.throttled));
    if (fault.kind === 'error') {
      stats.errors++;
      return fault.variant === 'http'
        ? { outcome: { kind: 'http', status: 503 }, latencyMs: fault.latencyMs }
        : json(ucloudError(RetCode.serviceUnavailable));
    }

    if (problem !== undefined) return json(ucloudError(RetCode.badParams, problem));
    if (!action) return json(ucloudError(RetCode.missingAction));
    if (!params.Signature) return json(ucloudError(RetCode.missingSignature));
    const account = store.account(params.PublicKey ?? '');
    if (!account) return json(ucloudError(RetCode.noSuchUser));
    if (!verifyUcloudSignature(params, account.PrivateKey)) return json(ucloudError(RetCode.badSignature));
    const handler = Object.hasOwn(actions, action) ? actions[action] : undefined;
    if (!handler) return json(ucloudError(RetCode.noSuchAction, `Action [${action}] not found`));
    // After authentication: a quota belongs to an account, and a forged request must not spend it.
    if (options.rateLimiter && !options.rateLimiter.admit(`ucloud ${account.PublicKey}`, action)) {
      stats.rateLimited++;
      return json(ucloudError(RetCode.throttled));
    }

    const project = params.ProjectId || store.defaultProject(account);
    const forced = takeForcedFailure(action, params.Region, project);
    if (forced) {
      if (forced.retCode !== RetCode.throttled) stats.errors++;
      if (forced.hang) return { outcome: { kind: 'hang' }, latencyMs: 0 };
      if (forced.broken) {
        const body = handler({ params, account, project });
        return { outcome: { kind: 'broken', how: forced.broken, action, body }, latencyMs: fault.latencyMs };
      }
      if (forced.httpStatus !== undefined) {
        return { outcome: { kind: 'http', status: forced.httpStatus }, latencyMs: fault.latencyMs };
      }
      const retCode = forced.retCode ?? RetCode.serviceUnavailable;
      return json(ucloudError(retCode, forced.message ?? DEFAULT_MESSAGES[retCode]));
    }
    return json(handler({ params, account, project }));
  }

  function takeForcedFailure(action: string, region: string | undefined, project: string | undefined) {
    for (const entry of failures) {
      const { rule } = entry;
      if (entry.remaining <= 0) continue;
      if (rule.action !== undefined && rule.action !== action) continue;
      if (rule.region !== undefined && rule.region !== region) continue;
      if (rule.project !== undefined && rule.project !== project) continue;
      entry.remaining--;
      return rule;
    }
    return undefined;
  }

  function send(response: ServerResponse, outcome: Outcome): void {
    if (outcome.kind === 'hang') {
      stats.hung++;
      return;
    }
    if (response.destroyed) return;
    if (outcome.kind === 'broken') {
      const reply = { ...outcome.body, Action: `${outcome.action ?? ''}Response` };
      sendBroken(
        response,
        outcome.how,
        200,
        { 'Content-Type': 'application/json; charset=utf-8', 'X-UCLOUD-REQUEST-UUID': randomUUID() },
        Buffer.from(JSON.stringify(reply), 'utf8'),
      );
      return;
    }
    if (outcome.kind === 'http') {
      stats.httpErrors++;
      const reason = STATUS_CODES[outcome.status] ?? 'Error';
      // What a gateway in front of the API sends: an HTML page, not UCloud JSON.
      writeReply(
        response,
        outcome.status,
        'text/html',
        `<html><body><h1>${outcome.status} ${reason}</h1></body></html>`,
      );
      return;
    }
    const { RetCode: retCode, Message, ...fields } = outcome.body;
    stats.retCodes[retCode] = (stats.retCodes[retCode] ?? 0) + 1;
    if (retCode === RetCode.throttled) {
      stats.throttled++;
      const name = outcome.action ?? '(none)';
      stats.throttledByAction[name] = (stats.throttledByAction[name] ?? 0) + 1;
    }
    // Missing or unreadable Action: UCloud's reply name for that case is unverified; "Response" keeps the shape.
    const reply = { RetCode: retCode, Action: `${outcome.action ?? ''}Response`, Message, ...fields };
    writeReply(response, 200, 'application/json; charset=utf-8', JSON.stringify(reply));
  }

  return {
    stats,
    handle(request, response) {
      stats.requests++;
      if (request.method !== 'GET' && request.method !== 'POST') {
        stats.httpErrors++;
        response.setHeader('Allow', 'GET, POST');
        writeReply(response, 405, 'text/plain; charset=utf-8', 'Method Not Allowed');
        request.resume();
        return;
      }
      readBody(request, (body) => {
        if (body === undefined) {
          stats.httpErrors++;
          writeReply(response, 413, 'text/plain; charset=utf-8', 'Request body too large');
          return;
        }
        const { outcome, latencyMs } = respond(request, body);
        if (latencyMs <= 0 || outcome.kind === 'hang') {
          send(response, outcome);
          return;
        }
        const timer = setTimeout(() => {
          timers.delete(timer);
          send(response, outcome);
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

function writeReply(response: ServerResponse, status: number, contentType: string, text: string): void {
  const payload = Buffer.from(text, 'utf8');
  response.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': payload.length,
    'X-UCLOUD-REQUEST-UUID': randomUUID(),
  });
  response.end(payload);
}
