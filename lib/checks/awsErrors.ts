/**
 * AWS SDK errors in plain words. Only the error's name and our own words are shown for anything to do with
 * credentials: a signature error's message may quote the request it signed.
 */

export type AwsErrorKind = 'not-found' | 'denied' | 'credentials' | 'region' | 'network' | 'other';

export interface AwsProblem {
  kind: AwsErrorKind;
  /** What went wrong and what to do, without the resource's name (the line names it already). */
  words: string;
}

export interface AwsCall {
  /** The IAM action, e.g. `sns:GetTopicAttributes`. */
  action: string;
  /** The variable that points the SDK at another endpoint, e.g. `AWS_ENDPOINT_URL_SNS`. */
  endpointSetting: string;
  /** Error names meaning the resource does not exist (`NotFoundException`...). */
  notFound: readonly string[];
}

const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationErrorException',
  'AuthorizationError',
]);
const REJECTED_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'IncompleteSignature',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidAccessKeyId',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

export function explainAwsError(error: unknown, call: AwsCall): AwsProblem {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const code = errorCode(error);
  if (call.notFound.includes(name)) return { kind: 'not-found', words: `does not exist (${name})` };
  if (DENIED.has(name)) {
    return {
      kind: 'denied',
      words: `access denied (${name}): these AWS credentials may not ${call.action} on it`,
    };
  }
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return {
      kind: 'credentials',
      words:
        'no AWS credentials were found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run ' +
        'where a role provides them',
    };
  }
  if (REJECTED_CREDENTIALS.has(name)) {
    return {
      kind: 'credentials',
      words: `AWS rejected the credentials (${name}): they are wrong or expired; refresh them`,
    };
  }
  if (/region is missing/i.test(message)) {
    return { kind: 'region', words: 'no AWS region is set: set AWS_REGION' };
  }
  if (name === 'TimeoutError' || (code !== null && NETWORK_CODES.has(code))) {
    return {
      kind: 'network',
      words: `could not reach the AWS endpoint (${code ?? name}): check the network, or ${call.endpointSetting} if you set it`,
    };
  }
  return { kind: 'other', words: `${name}: ${message}` };
}

function errorCode(error: unknown): string | null {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return null;
}
