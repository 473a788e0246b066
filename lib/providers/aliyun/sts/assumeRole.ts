/**
 * STS AssumeRole (2015-04-01): temporary credentials of a role in another account (reference §6). RoleArn
 * `acs:ram::<account>:role/<name>`, RoleSessionName 2-64 of [A-Za-z0-9.@_-], DurationSeconds 900 up to the role's
 * maximum (default 3600). Reply `{Credentials: {AccessKeyId ("STS.…"), AccessKeySecret, SecurityToken, Expiration
 * (ISO 8601 UTC)}, AssumedRoleUser}`.
 */
import { ProviderError } from '../../../errors';
import { parseIsoInstant } from '../../../expiry/instant';
import { isWireObject } from '../../wire';
import type { AliyunRpcClient } from '../client';
import type { SigningCredentials } from '../signature';

/** The session name certwatch's role sessions show in the account's ActionTrail. */
export const ROLE_SESSION_NAME = 'certwatch';
/** One hour: the default, and what every role allows (a longer session needs the role's MaxSessionDuration). */
export const ROLE_SESSION_SECONDS = 3600;

export interface TemporaryCredentials {
  credentials: SigningCredentials;
  /** When STS says they expire (epoch ms). */
  expiresAtMs: number;
}

/** One AssumeRole call. Throws ProviderError when the call fails or the reply holds no usable credentials. */
export async function assumeRole(
  client: AliyunRpcClient,
  roleArn: string,
  where: string,
  signal?: AbortSignal,
): Promise<TemporaryCredentials> {
  const reply = await client.call(
    'AssumeRole',
    { RoleArn: roleArn, RoleSessionName: ROLE_SESSION_NAME, DurationSeconds: String(ROLE_SESSION_SECONDS) },
    { where, signal },
  );
  const credentials = isWireObject(reply.Credentials) ? reply.Credentials : null;
  const accessKeyId = credentials?.AccessKeyId;
  const accessKeySecret = credentials?.AccessKeySecret;
  const securityToken = credentials?.SecurityToken;
  const expiresAtMs =
    typeof credentials?.Expiration === 'string' ? parseIsoInstant(credentials.Expiration) : null;
  if (
    typeof accessKeyId !== 'string' ||
    accessKeyId === '' ||
    typeof accessKeySecret !== 'string' ||
    accessKeySecret === '' ||
    typeof securityToken !== 'string' ||
    securityToken === '' ||
    expiresAtMs === null
  ) {
    // Never the reply itself: it may hold a secret.
    throw new ProviderError(
      `Alibaba STS AssumeRole ${where}: the reply holds no complete Credentials (AccessKeyId, AccessKeySecret, ` +
        'SecurityToken, Expiration); check ALIBABA_CLOUD_STS_ENDPOINT',
      { provider: 'aliyun', code: 'malformed-response', retryable: false },
    );
  }
  return { credentials: { accessKeyId, accessKeySecret, securityToken }, expiresAtMs };
}
