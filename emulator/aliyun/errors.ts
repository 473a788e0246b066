/**
 * Alibaba Cloud error replies as the emulator sends them: HTTP status from the code, JSON body
 * `{RequestId, HostId, Code, Message, Recommend}` (Alibaba API error docs; terraform-provider-alicloud errors.go;
 * aliyun-python-sdk-core retry_config.json).
 *
 * Messages marked "Alibaba's wording" are the text the real gateway is seen to send; the others are emulator
 * wording, since Alibaba's exact text is unverified. Clients must go by Code (and HTTP status), never by Message.
 */

/** An error before RequestId, HostId and Recommend are added. */
export interface AliyunError {
  status: number;
  code: string;
  message: string;
}

/** The codes the emulator sends on its own, with their HTTP status and default message. */
export const ALIYUN_ERRORS = {
  /** Alibaba's wording. */
  MissingParameter: {
    status: 400,
    message: 'The input parameter "{0}" that is mandatory for processing this request is not supplied.',
  },
  InvalidParameter: { status: 400, message: 'The specified parameter "{0}" is not valid.' },
  /**
   * Emulator-chosen for a Version the service does not serve (Alibaba's wording: "Specified parameter Version is
   * not valid."). 400, like every other malformed request.
   */
  InvalidVersion: { status: 400, message: 'Specified parameter Version is not valid.' },
  /** Alibaba's wording. Sent for a SignatureMethod other than HMAC-SHA1 or a SignatureVersion other than 1.0. */
  IncompleteSignature: {
    status: 400,
    message: 'The request signature does not conform to Aliyun standards.',
  },
  /** Emulator wording. Sent for a Timestamp that is malformed or more than 15 minutes off the server clock. */
  IllegalTimestamp: { status: 400, message: 'The input parameter "Timestamp" is not valid.' },
  /** Alibaba's wording. */
  SignatureNonceUsed: { status: 400, message: 'Specified signature nonce was used already.' },
  /**
   * Alibaba's wording. HTTP 400 by default (what the gateway sends in practice), though the reference table says
   * 403; `signatureMismatchStatus` switches it. The real message goes on with the server's StringToSign; the
   * emulator leaves that out, since for an upload it would quote the private key.
   */
  SignatureDoesNotMatch: { status: 400, message: 'Specified signature is not matched with our calculation.' },
  /** Alibaba's wording. */
  'InvalidAccessKeyId.NotFound': { status: 404, message: 'Specified access key is not found.' },
  /** Alibaba's wording. */
  'InvalidAction.NotFound': {
    status: 404,
    message: 'Specified api is not found, please check your url and method.',
  },
  /** Permission errors (reference error table: 403). Alibaba's wording. */
  Forbidden: { status: 403, message: 'User not authorized to operate on the specified resource.' },
  'Forbidden.RAM': {
    status: 403,
    message: 'User not authorized to operate on the specified resource, or this API does not support RAM.',
  },
  /** Alibaba's wording (Throttling.User is what a per-user flow-control rejection says). */
  'Throttling.User': { status: 400, message: 'Request was denied due to user flow control.' },
  Throttling: { status: 400, message: 'Request was denied due to request throttling.' },
  'Throttling.Api': { status: 400, message: 'Request was denied due to api flow control.' },
  /** Alibaba's wording. */
  ServiceUnavailable: {
    status: 503,
    message: 'The request has failed due to a temporary failure of the server.',
  },
  /** Alibaba's wording. */
  InternalError: {
    status: 500,
    message: 'The request processing has failed due to some unknown error, exception or failure.',
  },
  /**
   * CDN/DCDN: the product is not opened (or is suspended) for the account (reference §5: 403). Emulator wording
   * after CDN's CdnServiceNotFound.
   */
  OperationDenied: { status: 403, message: 'Your account does not open this service yet.' },
  /** DCDN DescribeDcdnHttpsDomainList for an account without HTTPS domains (DCDN API doc). Alibaba's wording. */
  NoHttpsDomain: { status: 400, message: 'Your account does not have any HTTPS domain.' },
  // ALB and NLB (provider-apis-more.md §3, §4: NLB's documented codes; ALB's not-found code is unconfirmed, so
  // the emulator sends NLB's). Emulator wording.
  'ResourceNotFound.listener': { status: 404, message: 'The specified listener "{0}" does not exist.' },
  'Forbidden.NoPermission': { status: 403, message: 'You are not authorized to perform this operation.' },
  SystemBusy: { status: 400, message: 'The system is busy. Please try again later.' },
  // SLB UploadServerCertificate (Alibaba SLB error codes; 400 each). Emulator wording.
  KeyFormatError: { status: 400, message: 'The format of the private key is not valid.' },
  PrivateKeyEncryption: {
    status: 400,
    message: 'The private key is encrypted: upload it without a passphrase.',
  },
  CertificateNotMatchPrivateKey: { status: 400, message: 'The certificate does not match the private key.' },
  /**
   * CAS GetUserCertificateDetail for an unknown CertId. The real code is unconfirmed (certimate treats any code
   * starting `NotFound` as "certificate gone"); emulator code, status and wording.
   */
  'NotFound.Certificate': { status: 404, message: 'The specified certificate does not exist.' },
  // STS AssumeRole (reference §6, Alibaba STS error docs: codes documented, HTTP statuses unconfirmed; the
  // emulator sends 403 for permission, 404 for a missing role, 400 for a bad parameter). Alibaba's wording where
  // the reference quotes it, else emulator wording.
  NoPermission: { status: 403, message: 'No permission perform sts:AssumeRole on this Role' },
  'EntityNotExist.Role': { status: 404, message: 'The role not exists: {0}.' },
  'InvalidParameter.RoleArn': { status: 400, message: 'The parameter RoleArn is wrongly formed.' },
  'InvalidParameter.RoleSessionName': {
    status: 400,
    message: 'The parameter RoleSessionName is wrongly formed.',
  },
  'InvalidParameter.DurationSeconds': {
    status: 400,
    message: 'The Min/Max value of DurationSeconds is 15min/{0}s.',
  },
  // A request signed with STS credentials whose SecurityToken is missing, not one the emulator issued, issued with
  // another AccessKeyId, or past its Expiration. Codes as Alibaba's gateway names them; HTTP statuses unconfirmed
  // (emulator choice: 400, as for the other malformed-credential replies). Emulator wording.
  'InvalidSecurityToken.Malformed': { status: 400, message: 'The security token you provided is malformed.' },
  'InvalidSecurityToken.MismatchWithAccessKey': {
    status: 400,
    message: 'The security token you provided does not match the access key id.',
  },
  'InvalidSecurityToken.Expired': { status: 400, message: 'The security token you provided has expired.' },
  // ResourceManager ListAccounts from an account that is not a Resource Directory's management account. The codes
  // and statuses are those ResourceCenter documents for its own RD-wide calls; for ListAccounts they are
  // unconfirmed. Alibaba's wording (ResourceCenter docs).
  'NotExists.ResourceDirectory': {
    status: 404,
    message: 'The resource directory for the account is not enabled.',
  },
  'NoPermission.ResourceDirectory.MemberAccount': {
    status: 409,
    message: 'ResourceDirectory Member Account is not authorized to perform this operation.',
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type AliyunErrorCode = keyof typeof ALIYUN_ERRORS;

/** Codes a client should retry: throttling of any kind and transient server failures. */
export function isThrottlingCode(code: string): boolean {
  return code.startsWith('Throttling') || code === 'Rejected.Throttling' || code === 'FlowControlError';
}

/**
 * An error with the code's status and message; `{0}` in the message is replaced by `detail`, and a `reason` is
 * added at the end. Callers pass parameter names and emulator facts, never a parameter's value: an upload's values
 * include a private key.
 */
export function aliyunError(code: AliyunErrorCode, detail = '', reason?: string): AliyunError {
  const { status, message } = ALIYUN_ERRORS[code];
  const text = message.replace('{0}', detail);
  return { status, code, message: reason ? `${text.replace(/\.$/, '')}: ${reason}.` : text };
}

/**
 * The HTTP status for a code a forced failure names: the table's, else 400 for a Throttling-like code and for
 * anything else (Alibaba sends client errors as 4xx with a Code).
 */
export function statusOfCode(code: string): number {
  if (Object.hasOwn(ALIYUN_ERRORS, code)) return ALIYUN_ERRORS[code as AliyunErrorCode].status;
  return 400;
}

/** The message for a code a forced failure names, when it gives none. */
export function messageOfCode(code: string): string {
  if (Object.hasOwn(ALIYUN_ERRORS, code))
    return ALIYUN_ERRORS[code as AliyunErrorCode].message.replace('{0}', '');
  return `${code} (forced by the emulator)`;
}
