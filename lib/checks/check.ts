/**
 * What `certwatch doctor` is made of: checks that each say one line, run concurrently, reported in a fixed order.
 */
import { forEachBounded } from '../concurrency';
import { failureMessage } from '../inert';

/**
 * ok: works; warn: works, but something will surprise (nobody subscribed); fail: broken; info: a choice worth
 * knowing (alerts go to the console); skip: not checked, because something it needs failed above.
 */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'info' | 'skip';

export interface CheckResult {
  status: CheckStatus;
  /** The line after the status: what was checked, then what was seen. Never a secret. */
  text: string;
}

export interface Check {
  /** Names the check when it throws instead of answering (a bug). */
  subject: string;
  /** Answers; handles its own errors. */
  run(): Promise<CheckResult>;
}

/**
 * A check whose code loads when it runs (a channel's check and the SDK it imports, say): `subject` names it until
 * then.
 */
export function deferredCheck(subject: string, load: () => Promise<Check>): Check {
  return { subject, run: async () => (await load()).run() };
}

/** A check that needs no I/O: its result is already known. */
export function settledCheck(result: CheckResult): Check {
  return { subject: result.text, run: async () => result };
}

/**
 * Runs `checks` with at most `limit` at a time and hands each result to `report` in the order of `checks`, as soon
 * as it and every one before it are done. Resolves with the results, in that order.
 */
export async function runChecksInOrder(
  checks: readonly Check[],
  limit: number,
  report: (result: CheckResult) => Promise<void> | void,
): Promise<CheckResult[]> {
  const settled = checks.map(() => {
    let resolve!: (result: CheckResult) => void;
    const promise = new Promise<CheckResult>((r) => {
      resolve = r;
    });
    return { promise, resolve };
  });
  const running = forEachBounded(checks, limit, async (check, index) => {
    settled[index]!.resolve(await runSafely(check));
  });
  const results: CheckResult[] = [];
  for (const { promise } of settled) {
    const result = await promise;
    results.push(result);
    await report(result);
  }
  await running;
  return results;
}

async function runSafely(check: Check): Promise<CheckResult> {
  try {
    return await check.run();
  } catch (error) {
    return { status: 'fail', text: `${check.subject}: ${failureMessage(error)}` };
  }
}
