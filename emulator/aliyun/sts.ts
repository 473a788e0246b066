/**
 * Alibaba Cloud STS, API version 2015-04-01 (provider-apis-more.md §6; Alibaba STS AssumeRole doc): AssumeRole
 * hands out temporary credentials (`STS.…` AccessKeyId, secret, SecurityToken, Expiration) of the account a RAM role
 * lives in, to a caller whose account the role trusts. The credentials live in the emulator until they expire by
 * its clock; every later request signed with one must carry its SecurityToken (checked in ./handler.ts).
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { DEFAULT_MAX_SESSION_SECONDS, type EmulatedAliyunAccount } from './accounts';
import { type AliyunAction, failed } from './action';
import { type AliyunErrorCode, aliyunError } from './errors';
import { isoSeconds } from './slb';

export const STS_API_VERSION = '2015-04-01';
/** DurationSeconds' documented minimum, 15 minutes. */
export const MIN_SESSION_SECONDS = 900;
/**
 * The longest session a role chain (AssumeRole called with STS credentials) may ask for. Unconfirmed (reference
 * open question 4); the emulator holds it to one hour, as AWS does.
 */
export const CHAINED_SESSION_MAX_SECONDS = 3600;
/** `acs:ram::<accountId>:role/<roleName>`. */
const ROLE_ARN = /^acs:ram::(\d+):role\/([^/]+)$/;
/** 2..64 characters of letters, digits and `.@_-` (reference §6). */
const ROLE_SESSION_NAME = /^[A-Za-z0-9.@_-]{2,64}$/;
/**
 * The emulator's tokens: `CAIS` (the prefix real tokens carry) and standard base64, so they hold `+`, `/` and `=`
 * and a client that does not percent-encode them breaks its own signature, as against the real service.
 */
const SECURITY_TOKEN = /^CAIS[A-Za-z0-9+/]+={0,2}$/;
/** How long an expired credential is still remembered (so its key answers Expired, not NotFound). */
const EXPIRED_MEMORY_MS = 24 * 3600 * 1000;
const KEY_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** One set of temporary credentials. */
export interface StsCredential {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  /** Epoch milliseconds; the credential is refused from this instant on. */
  expiresAt: number;
  /** The account the assumed role lives in: requests signed with the credential are served from it. */
  accountId: string;
}

/** The temporary credentials issued and not yet long expired. */
export class StsCredentialLedger {
  readonly #byKey = new Map<string, StsCredential>();

  issue(accountId: string, durationSeconds: number, now: number): StsCredential {
    this.#sweep(now);
    let accessKeyId: string;
    do {
      accessKeyId = `STS.${Array.from({ length: 24 }, () => KEY_ALPHABET[randomInt(KEY_ALPHABET.length)]).join('')}`;
    } while (this.#byKey.has(accessKeyId));
    const credential: StsCredential = {
      accessKeyId,
      accessKeySecret: randomBytes(30).toString('base64url'),
      securityToken: `CAIS${randomBytes(181).toString('base64')}`,
      // Whole seconds, so the Expiration the reply states is the instant the emulator goes by.
      expiresAt: Math.floor(now / 1000) * 1000 + durationSeconds * 1000,
      accountId,
    };
    this.#byKey.set(accessKeyId, credential);
    return credential;
  }

  /** The credential of this AccessKeyId, expired or not; undefined when the emulator never issued it. */
  get(accessKeyId: string): StsCredential | undefined {
    return this.#byKey.get(accessKeyId);
  }

  #sweep(now: number): void {
    for (const [key, credential] of this.#byKey) {
      if (credential.expiresAt + EXPIRED_MEMORY_MS <= now) this.#byKey.delete(key);
    }
  }
}

/**
 * What is wrong with the SecurityToken of a request signed with `credential`, if anything: none given or not one
 * the emulator could have issued (Malformed), another credential's (MismatchWithAccessKey), or past the Expiration
 * (Expired).
 */
export function securityTokenProblem(
  credential: StsCredential,
  token: string | undefined,
  now: number,
): AliyunErrorCode | undefined {
  if (!token || !SECURITY_TOKEN.test(token)) return 'InvalidSecurityToken.Malformed';
  if (token !== credential.securityToken) return 'InvalidSecurityToken.MismatchWithAccessKey';
  if (now >= credential.expiresAt) return 'InvalidSecurityToken.Expired';
  return undefined;
}

/** The account id a RoleArn names, if it is well formed (forced failures select AssumeRole by it). */
export function roleArnAccountId(roleArn: string | undefined): string | undefined {
  return roleArn ? ROLE_ARN.exec(roleArn)?.[1] : undefined;
}

/** The STS actions, by name. */
export function createStsActions(ledger: StsCredentialLedger): Record<string, AliyunAction> {
  return { AssumeRole: assumeRole(ledger) };
}

function assumeRole(ledger: StsCredentialLedger): AliyunAction {
  return ({ params, caller, accounts, now }) => {
    if (!params.RoleArn) return failed(aliyunError('MissingParameter', 'RoleArn'));
    if (!params.RoleSessionName) return failed(aliyunError('MissingParameter', 'RoleSessionName'));
    const arn = ROLE_ARN.exec(params.RoleArn);
    if (!arn) return failed(aliyunError('InvalidParameter.RoleArn'));
    const sessionName = params.RoleSessionName;
    if (!ROLE_SESSION_NAME.test(sessionName)) return failed(aliyunError('InvalidParameter.RoleSessionName'));
    const account = accounts.byId(arn[1]!);
    const role = account && accounts.role(account, arn[2]!);
    if (!account || !role) return failed(aliyunError('EntityNotExist.Role', arn[2]));
    if (!role.trusts.includes(caller.account.accountId)) return failed(aliyunError('NoPermission'));
    let maxSeconds = role.maxSessionDuration ?? DEFAULT_MAX_SESSION_SECONDS;
    if (caller.temporary) maxSeconds = Math.min(maxSeconds, CHAINED_SESSION_MAX_SECONDS);
    const given = params.DurationSeconds;
    const duration =
      given === undefined || given === '' ? 3600 : /^\d{1,9}$/.test(given) ? Number(given) : NaN;
    if (!(duration >= MIN_SESSION_SECONDS && duration <= maxSeconds)) {
      return failed(aliyunError('InvalidParameter.DurationSeconds', String(maxSeconds)));
    }
    const credential = ledger.issue(account.accountId, duration, now);
    // RAM writes the role name in lower case in the assumed role's ARN (reference §6 example).
    const roleName = role.roleName.toLowerCase();
    return {
      ok: true,
      body: {
        AssumedRoleUser: {
          Arn: `acs:ram::${account.accountId}:role/${roleName}/${sessionName}`,
          AssumedRoleId: `${roleId(account, roleName)}:${sessionName}`,
        },
        Credentials: {
          AccessKeyId: credential.accessKeyId,
          AccessKeySecret: credential.accessKeySecret,
          SecurityToken: credential.securityToken,
          Expiration: isoSeconds(credential.expiresAt),
        },
      },
    };
  };
}

/** A stable numeric role id (RAM's are 16–19 digits), derived from the account and role name. */
function roleId(account: EmulatedAliyunAccount, roleName: string): string {
  const hex = createHash('sha256').update(`${account.accountId}/${roleName}`).digest('hex');
  return `3${(BigInt(`0x${hex.slice(0, 14)}`) % 10n ** 16n).toString().padStart(16, '0')}`;
}
