/**
 * The `{"errcode": 0, "errmsg": "ok"}` answer of the robots that give it (DingTalk's custom robot, WeCom's group
 * robot): errors come inside an HTTP 200 with a non-zero errcode, so an HTTP 200 alone is never a delivery. Each
 * platform brings its own codes (which are throttles, what they mean); the reading is here. The answer comes with
 * the webhook's secrets already withheld (webhook.ts), so what is quoted here cannot show them.
 */
import { retryAfterMs } from '../http/retry';
import type { WebhookReply, WebhookVerdict } from './webhook';

/** What an errcode platform brings to the verdict on its answer. */
export interface ErrcodePlatform {
  /** How people call it in messages: `DingTalk`. */
  title: string;
  /** Codes worth another attempt, later: the platform's throttle. */
  retryableCodes: ReadonlySet<number>;
  /** What the codes people meet most often mean, beside the platform's own errmsg. */
  meanings: Readonly<Record<number, string>>;
}

/**
 * The verdict on an errcode answer: a non-zero errcode is a failure, retried when `retryableCodes` has it; 429
 * and 5xx are retried, after the Retry-After when there is one. Reasons quote the errcode and errmsg.
 */
export function errcodeVerdict(reply: WebhookReply, platform: ErrcodePlatform): WebhookVerdict {
  const shown = reply.body.trim();
  if (reply.status === 429 || reply.status >= 500) {
    const wait = retryAfterMs(reply.header('retry-after'), reply.nowMs);
    return {
      ok: false,
      retryable: true,
      reason: `HTTP ${reply.status}${shown ? `: ${shown}` : ''}`,
      ...(wait === undefined ? {} : { retryAfterMs: wait }),
    };
  }
  if (reply.status < 200 || reply.status > 299) {
    return { ok: false, retryable: false, reason: `HTTP ${reply.status}${shown ? `: ${shown}` : ''}` };
  }
  const answer = readErrcodeAnswer(reply.body);
  if (answer === null) {
    return {
      ok: false,
      retryable: false,
      reason: `HTTP ${reply.status} without ${platform.title}'s {errcode, errmsg} answer: ${shown || '(empty body)'}`,
    };
  }
  if (answer.errcode === 0) return { ok: true };
  const meaning = platform.meanings[answer.errcode];
  return {
    ok: false,
    retryable: platform.retryableCodes.has(answer.errcode),
    reason:
      `errcode ${answer.errcode} "${answer.errmsg}" in an HTTP ${reply.status}` +
      (meaning ? ` (${meaning})` : ''),
  };
}

/** The `{"errcode": 0, "errmsg": "ok"}` answer; null when the body is something else. */
export function readErrcodeAnswer(body: string): { errcode: number; errmsg: string } | null {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { errcode, errmsg } = parsed as { errcode?: unknown; errmsg?: unknown };
    if (typeof errcode !== 'number') return null;
    return { errcode, errmsg: typeof errmsg === 'string' ? errmsg : '' };
  } catch {
    return null;
  }
}
