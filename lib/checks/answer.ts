/**
 * What the providers' doctor checks share (each provider's own checks are in its folder, lib/providers/<id>/):
 * one cheap signed call per configured endpoint, through the scan's own clients and wire code, answered in one
 * shape.
 */
import { CertwatchError } from '../errors';
import type { RetryPolicy } from '../http/retry';
import { failureMessage } from '../inert';
import type { CheckResult } from './check';

/** Two attempts and short waits: doctor answers in seconds; a scan is what keeps trying. */
export const DOCTOR_RETRY: RetryPolicy = { attempts: 2, baseDelayMs: 200, maxDelayMs: 1000 };

/**
 * ok with what `see` saw, or fail with the error's own message: the clients' messages name the call and say what
 * to check (`— check UCLOUD_PRIVATE_KEY`), so they are kept whole when they start with `stem`.
 */
export async function answer(
  subject: string,
  stem: string,
  see: () => Promise<string>,
): Promise<CheckResult> {
  try {
    return { status: 'ok', text: `${subject}: ${await see()}` };
  } catch (error) {
    const message = failureMessage(error);
    const named = error instanceof CertwatchError && message.startsWith(stem);
    return { status: 'fail', text: named ? message : `${subject}: ${message}` };
  }
}

export function certificates(count: number, field: string): string {
  return `${count} certificate${count === 1 ? '' : 's'} (${field})`;
}

/** The host and port of an endpoint: never a path or any user:password part. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the endpoint';
  }
}
