/**
 * UCloud RetCodes the emulator answers with (UCloud API docs summary/public.md, ulb-api/error_code.md). Errors
 * travel in HTTP 200 replies: `{RetCode, Action, Message}`.
 *
 * Messages: 171 and 172 are UCloud's own wording (signature doc FAQ); 153 and 150 follow the documented meaning.
 * The others are emulator wording, since UCloud's exact text is unverified; clients must go by RetCode.
 */

/** A reply body before the Action field is added. */
export interface UcloudReplyBody {
  RetCode: number;
  Message?: string;
  [field: string]: unknown;
}

export const RetCode = {
  ok: 0,
  serviceUnavailable: 150,
  throttled: 153,
  missingAction: 160,
  noSuchAction: 161,
  missingSignature: 170,
  badSignature: 171,
  noSuchUser: 172,
  /** Emulator-chosen for a missing parameter (UCloud is seen answering `220 Missing params [X]`). */
  missingParams: 220,
  /** Emulator-chosen for a malformed parameter or body (UCloud is seen answering `230 Params [X] not available`). */
  badParams: 230,
  noSuchProject: 292,
} as const;

/** Default messages, used when a forced failure names a RetCode but no message. */
export const DEFAULT_MESSAGES: Readonly<Record<number, string>> = {
  110: 'API timed out',
  [RetCode.serviceUnavailable]: 'service unavailable',
  [RetCode.throttled]: 'Request frequency exceeds the limit',
  [RetCode.missingAction]: 'Missing Action',
  [RetCode.missingSignature]: 'Missing Signature',
  [RetCode.badSignature]: 'Signature VerifyAC Error',
  [RetCode.noSuchUser]: 'User Not Exists',
  [RetCode.noSuchProject]: 'project does not exist',
  294: 'IP denied',
  299: 'IAM permission denied',
  4079: 'fetching SSL certificate failed',
};

export function ucloudError(retCode: number, message = DEFAULT_MESSAGES[retCode] ?? `RetCode ${retCode}`) {
  return { RetCode: retCode, Message: message } satisfies UcloudReplyBody;
}
