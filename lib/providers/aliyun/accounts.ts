/**
 * Many Alibaba Cloud accounts. The configured keys' own account is scanned as before (its records named by
 * ALIBABA_CLOUD_ACCOUNT_NAME); every other account is read with a key pair of its own (ALIBABA_CLOUD_ACCOUNT_KEYS)
 * or reached by assuming a role in it (STS AssumeRole): the roles ALIBABA_CLOUD_ASSUME_ROLES names, and with
 * ALIBABA_CLOUD_RESOURCE_DIRECTORY every member of the keys' Resource Directory through its access role. Each
 * other account's records and failures carry its `account`, and its calls go in its own rate-limit lanes (limits
 * are per account). An assumed account is one source: its temporary credentials first (refreshed before they
 * expire), then all its services; one whose role cannot be assumed is one named failure, and the others complete.
 */
import { answer } from '../../checks/answer';
import type { Check } from '../../checks/check';
import { forEachBounded } from '../../concurrency';
import { CertwatchError, ProviderError } from '../../errors';
import type { RetryPolicy } from '../../http/retry';
import { failureMessage } from '../../inert';
import type { AccountRef } from '../../model';
import { listPages } from '../listing';
import { inSlot } from '../shard';
import type { CertificateSource, ProviderDeps, ScanSink } from '../source';
import { aliyunClient } from './client';
import type { AliyunConfig, AliyunSession, AssumedRole, KeyedAccount } from './config';
import { type DirectoryMember, directoryListing, isJoined } from './resourcemanager/listAccounts';
import { assumeRole, type TemporaryCredentials } from './sts/assumeRole';

/** Temporary credentials are asked for again this long before they expire. */
export const REFRESH_BEFORE_MS = 10 * 60_000;
/**
 * Resource Directory members scanned at once. Each has its own rate limits, so a member waiting for its turn only
 * adds its whole scan time to the wall: with 8 at once, 20 accounts took three rounds of the slowest account's bound
 * (npm run bench, accounts-200k: 4.6× the bound). The cost of more at once is sockets and pages in flight, not
 * records (the report holds them all either way), so every member of a directory the size the README supports (50
 * accounts) runs at once.
 */
export const MEMBER_CONCURRENCY = 50;

interface ClientOptions {
  requestTimeoutMs: number;
}

/**
 * The session of an account reached through `role`: credentials from STS with the configured keys, asked once and
 * shared by every client of the account, again when they come within REFRESH_BEFORE_MS of expiring. A refusal is
 * kept: the account's every call fails with it, rather than asking STS again for each.
 */
export function roleSession(
  config: AliyunConfig,
  role: AssumedRole,
  options: ClientOptions,
  deps: ProviderDeps,
  clock: () => number = Date.now,
): AliyunSession {
  const sts = aliyunClient({ ...config, session: undefined }, { product: 'STS' }, options, deps);
  const where = `for account ${role.account.name} (${role.roleArn})`;
  let pending: Promise<TemporaryCredentials> | null = null;
  let held: TemporaryCredentials | null = null;
  return {
    account: role.account,
    lane: `account ${role.account.id ?? role.account.name}`,
    async credentials() {
      if (held && held.expiresAtMs - REFRESH_BEFORE_MS > clock()) return held.credentials;
      if (!pending || held) {
        pending = assumeRole(sts, role.roleArn, where).then(
          (fresh) => {
            held = fresh;
            return fresh;
          },
          (error: unknown) => {
            throw cannotAssume(role, error);
          },
        );
        held = null;
      }
      return (await pending).credentials;
    },
  };
}

/** The session of an account read with its own key pair: its calls sign with it and pace in its lane. */
export function keyedSession(keyed: KeyedAccount): AliyunSession {
  const credentials = Promise.resolve(keyed.credentials);
  const where = `${keyed.account.name}'s AccessKey`;
  return {
    account: keyed.account,
    lane: `account ${keyed.account.id}`,
    credentials: () => credentials,
    keyNames: {
      accessKeyId: `${where} id in ALIBABA_CLOUD_ACCOUNT_KEYS`,
      accessKeySecret: `${where} secret in ALIBABA_CLOUD_ACCOUNT_KEYS`,
    },
  };
}

/** Why an account cannot be read, saying what to change. */
function cannotAssume(role: AssumedRole, error: unknown): Error {
  const message = failureMessage(error);
  const trust =
    error instanceof ProviderError && /NoPermission|EntityNotExist/.test(error.code)
      ? ' (the RAM user of ALIBABA_CLOUD_ACCESS_KEY_ID needs sts:AssumeRole, and the role must exist and trust ' +
        'that user\'s account: README "Many accounts")'
      : '';
  return new ProviderError(`account ${role.account.name}: ${message}${trust}`, {
    provider: 'aliyun',
    code: error instanceof ProviderError ? error.code : 'assume-role',
    retryable: false,
  });
}

/** The source, its every record and failure marked as `account`'s. */
export function inAccount(source: CertificateSource, account: AccountRef): CertificateSource {
  return {
    provider: source.provider,
    service: source.service,
    scan: (sink, signal) => source.scan(markedFor(sink, account), signal),
  };
}

function markedFor(sink: ScanSink, account: AccountRef): ScanSink {
  return {
    // The observed certificate is the mapper's own fresh object: marked in place, not copied.
    certificate(cert) {
      cert.account = account;
      sink.certificate(cert);
    },
    failure: (failure) => sink.failure({ ...failure, account }),
  };
}

/**
 * One account reached through a role: its credentials first, then every source `build` makes for it, side by
 * side. Credentials that cannot be had are one failure of the account, not one per service.
 */
export function roleAccountSource(
  config: AliyunConfig,
  role: AssumedRole,
  options: ClientOptions,
  deps: ProviderDeps,
  build: (config: AliyunConfig) => CertificateSource[],
): CertificateSource {
  const session = roleSession(config, role, options, deps);
  const sources = build({ ...config, session }).map((source) => inAccount(source, role.account));
  return {
    provider: 'aliyun',
    service: 'sts',
    async scan(sink, signal) {
      try {
        signal?.throwIfAborted();
        await session.credentials();
      } catch (error) {
        sink.failure({
          provider: 'aliyun',
          service: 'sts',
          region: null,
          project: null,
          account: role.account,
          message: failureMessage(error),
        });
        return;
      }
      await Promise.all(sources.map((source) => scanned(source, sink, signal, role.account)));
    },
  };
}

/**
 * Every member of the keys' Resource Directory not configured already, each through the directory's access role,
 * MEMBER_CONCURRENCY at a time. A directory that cannot be listed is a named failure (the members it did list are
 * still scanned, and the scan is incomplete).
 */
export function directorySource(
  config: AliyunConfig,
  options: ClientOptions,
  deps: ProviderDeps,
  build: (config: AliyunConfig) => CertificateSource[],
): CertificateSource {
  const roleName = config.resourceDirectory!.roleName;
  const known = new Set([
    config.account.id,
    ...config.assumeRoles.map((role) => role.account.id),
    ...config.keyedAccounts.map((keyed) => keyed.account.id),
  ]);
  const client = aliyunClient(
    { ...config, session: undefined },
    { product: 'ResourceManager' },
    options,
    deps,
  );
  return {
    provider: 'aliyun',
    service: 'resourcemanager',
    async scan(sink, signal) {
      const { slot } = config.resourceDirectory!;
      const members: DirectoryMember[] = [];
      try {
        for await (const page of listPages(directoryListing(client), undefined, signal))
          members.push(...page);
      } catch (error) {
        sink.failure({
          provider: 'aliyun',
          service: 'resourcemanager',
          region: null,
          project: null,
          account: config.account,
          message: `${failureMessage(error)}${slot ? ` (directory shard ${slot.index} of ${slot.count})` : ''}`,
        });
      }
      const toScan = members.filter(
        (member) =>
          isJoined(member) && !known.has(member.accountId) && (!slot || inSlot(member.accountId, slot)),
      );
      await forEachBounded(toScan, MEMBER_CONCURRENCY, (member) => {
        const role: AssumedRole = {
          account: { id: member.accountId, name: member.displayName },
          roleArn: `acs:ram::${member.accountId}:role/${roleName}`,
        };
        return roleAccountSource(config, role, options, deps, build).scan(sink, signal);
      });
    },
  };
}

/** A source's scan, which by contract reports its own failures; anything it throws all the same becomes one. */
async function scanned(
  source: CertificateSource,
  sink: ScanSink,
  signal: AbortSignal | undefined,
  account: AccountRef,
): Promise<void> {
  try {
    await source.scan(sink, signal);
  } catch (error) {
    sink.failure({
      provider: source.provider,
      service: source.service,
      region: null,
      project: null,
      account,
      message: failureMessage(error instanceof Error ? error : new CertwatchError(String(error))),
    });
  }
}

/**
 * Every source of every configured account: the keys' own account's sources as `build` makes them, then those of
 * each account with a key pair of its own, then one source per assumed role, then the Resource Directory's members.
 */
export function accountsSources(
  config: AliyunConfig,
  options: ClientOptions,
  deps: ProviderDeps,
  build: (config: AliyunConfig) => CertificateSource[],
): CertificateSource[] {
  return [
    ...(config.scanOwnAccount === false ? [] : build(config)).map((source) =>
      inAccount(source, config.account),
    ),
    ...(config.scanKeyed === false ? [] : config.keyedAccounts).flatMap((keyed) =>
      build({ ...config, session: keyedSession(keyed) }).map((source) => inAccount(source, keyed.account)),
    ),
    ...config.assumeRoles
      .filter((role) => !config.rolesElsewhere?.includes(role.account.name))
      .map((role) => roleAccountSource(config, role, options, deps, build)),
    ...(config.resourceDirectory ? [directorySource(config, options, deps, build)] : []),
  ];
}

/**
 * `certwatch doctor` over every account: the keys' own account's checks as `build` makes them; each account with a
 * key pair of its own, its checks (each line naming the account); for each assumed
 * role, AssumeRole and then the account's own checks (each line names the account; skipped when the role cannot
 * be assumed, so one refusal is one FAIL); with a Resource Directory, one line listing its members and assuming
 * the access role in each (which members' roles failed, by name).
 */
export function accountsChecks(
  config: AliyunConfig,
  options: ClientOptions & { retry?: RetryPolicy },
  deps: ProviderDeps,
  build: (config: AliyunConfig) => Check[],
): Check[] {
  const checks = [...build(config)];
  for (const keyed of config.keyedAccounts) {
    const name = keyed.account.name;
    checks.push(
      ...build({ ...config, session: keyedSession(keyed) }).map((check) => inAccountCheck(check, name)),
    );
  }
  for (const role of config.assumeRoles) {
    const session = roleSession(config, role, options, deps);
    // Asked once, by whichever of the account's checks runs first (the session keeps the answer).
    const assumed = () => session.credentials();
    const subject = `Alibaba STS AssumeRole for account ${role.account.name}`;
    checks.push({
      subject,
      run: () =>
        answer(subject, 'account ', async () => {
          await assumed();
          return `${role.roleArn}: temporary credentials issued`;
        }),
    });
    checks.push(
      ...build({ ...config, session }).map((check) =>
        inAccountCheck(check, role.account.name, {
          ready: assumed,
          unready: 'the role could not be assumed',
        }),
      ),
    );
  }
  if (config.resourceDirectory) checks.push(directoryCheck(config, options, deps));
  return checks;
}

/**
 * `check` of the account `name`, each line naming it; with `gate`, skipped (not failed) when `gate.ready` fails,
 * saying why (`unready`): one refusal is then one FAIL, on the line that asked.
 */
function inAccountCheck(
  check: Check,
  name: string,
  gate?: { ready: () => Promise<unknown>; unready: string },
): Check {
  return {
    subject: `${check.subject} (account ${name})`,
    async run() {
      if (gate) {
        try {
          await gate.ready();
        } catch {
          return { status: 'skip', text: `${check.subject} (account ${name}): not checked, ${gate.unready}` };
        }
      }
      const result = await check.run();
      return { ...result, text: `account ${name}: ${result.text}` };
    },
  };
}

/** Lists the Resource Directory's members and assumes the access role in each joined one. */
function directoryCheck(
  config: AliyunConfig,
  options: ClientOptions & { retry?: RetryPolicy },
  deps: ProviderDeps,
): Check {
  const subject = 'Alibaba ResourceManager ListAccounts';
  const roleName = config.resourceDirectory!.roleName;
  return {
    subject,
    run: async () => {
      const client = aliyunClient(
        { ...config, session: undefined },
        { product: 'ResourceManager' },
        options,
        deps,
      );
      const members: DirectoryMember[] = [];
      const listed = await answer(subject, 'Alibaba ResourceManager ListAccounts', async () => {
        for await (const page of listPages(directoryListing(client))) members.push(...page);
        return '';
      });
      if (listed.status !== 'ok') return listed;
      const joined = members.filter(isJoined);
      const refused: string[] = [];
      await forEachBounded(joined, MEMBER_CONCURRENCY, async (member) => {
        const role: AssumedRole = {
          account: { id: member.accountId, name: member.displayName },
          roleArn: `acs:ram::${member.accountId}:role/${roleName}`,
        };
        try {
          await roleSession(config, role, options, deps).credentials();
        } catch {
          refused.push(member.displayName);
        }
      });
      const seen = `${members.length} member account${members.length === 1 ? '' : 's'}, ${joined.length} joined`;
      if (refused.length === 0) {
        return { status: 'ok', text: `${subject}: ${seen}; ${roleName} assumed in each` };
      }
      const names =
        refused.sort().slice(0, 10).join(', ') +
        (refused.length > 10 ? ` and ${refused.length - 10} more` : '');
      return {
        status: 'fail',
        text:
          `${subject}: ${seen}; ${roleName} could not be assumed in ${refused.length} (${names}): ` +
          'check that each trusts the management account and that the keys may call sts:AssumeRole',
      };
    },
  };
}
