/**
 * Fleets on disk: reading a hand-written or generated fleet file (validated, with errors that name the entry
 * and field), and caching big generated fleets (UCloud, Alibaba CDN, Alibaba SLB) so a benchmark pays for
 * generation once.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ALIYUN_FLEET_GENERATOR_VERSION,
  type AliyunAccountsFleetOptions,
  type AliyunCdnFleetOptions,
  type AliyunSlbFleetOptions,
  generateAliyunAccountResources,
  generateAliyunAccountsFleet,
  generateAliyunCdnFleet,
  generateAliyunSlbFleet,
  generateUcloudFleet,
  UCLOUD_FLEET_GENERATOR_VERSION,
  type UcloudFleetOptions,
} from './generate';
import type {
  AliyunAccount,
  AliyunAccountResources,
  AliyunCasCertificate,
  AliyunCasChainLink,
  AliyunCasDeployment,
  AliyunCdnCertificate,
  AliyunHttpsDomain,
  AliyunListener,
  AliyunListenerCertificate,
  AliyunLoadBalancer,
  AliyunMemberAccount,
  AliyunRole,
  AliyunSlbCertificate,
  Fleet,
  UcloudAccount,
  UcloudFleetCertificate,
  UcloudRelation,
} from './model';

/** A fleet file that cannot be used. `problems` lists every one found (up to a cap), each naming its field. */
export class FleetFileError extends Error {
  readonly source: string;
  readonly problems: string[];

  constructor(source: string, problems: string[], options?: { cause?: unknown }) {
    const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).map((problem) => `${source}: ${problem}`);
    if (problems.length > MAX_PROBLEMS_SHOWN)
      shown.push(`${source}: ... and ${problems.length - shown.length} more`);
    super(shown.join('\n'), options);
    this.name = 'FleetFileError';
    this.source = source;
    this.problems = problems;
  }
}

const MAX_PROBLEMS_SHOWN = 20;

/** Reads and validates a fleet file (the JSON shape of ./model.ts). Throws FleetFileError. */
export function readFleetFile(path: string): Fleet {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new FleetFileError(path, [`cannot be read (${code})`], { cause: error });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new FleetFileError(path, [`is not valid JSON: ${(error as Error).message}`], { cause: error });
  }
  return validateFleet(data, path);
}

/** Typed against the model, so a section added to Fleet fails to compile here until it is validated. */
const FLEET_SECTIONS: Record<keyof Fleet, true> = { aliyun: true, ucloud: true };
const UCLOUD_SECTION_KEYS: Record<keyof NonNullable<Fleet['ucloud']>, true> = {
  accounts: true,
  projects: true,
  certificates: true,
};
const ALIYUN_RESOURCE_KEYS: Record<keyof AliyunAccountResources, true> = {
  cdn: true,
  cdnDomains: true,
  dcdnDomains: true,
  slb: true,
  cas: true,
  alb: true,
  nlb: true,
};
const ALIYUN_SECTION_KEYS: Record<keyof NonNullable<Fleet['aliyun']>, true> = {
  accounts: true,
  ...ALIYUN_RESOURCE_KEYS,
  accountId: true,
  displayName: true,
  resourceDirectory: true,
  roles: true,
  members: true,
};
const ALIYUN_MEMBER_KEYS: Record<keyof AliyunMemberAccount, true> = {
  ...ALIYUN_RESOURCE_KEYS,
  accountId: true,
  displayName: true,
  type: true,
  joinMethod: true,
  status: true,
  accounts: true,
  roles: true,
};
const DOMAINS_KEY: Record<keyof NonNullable<NonNullable<Fleet['aliyun']>['cdnDomains']>, true> = {
  domains: true,
};
const CERTIFICATES_KEY: Record<keyof NonNullable<NonNullable<Fleet['aliyun']>['cdn']>, true> = {
  certificates: true,
};

/**
 * Checks that `data` has the fleet shape, reporting every problem at once. Unknown keys are errors: a
 * misspelt `NotAfer` would otherwise silently read as "UCloud did not say".
 */
export function validateFleet(data: unknown, source = 'fleet'): Fleet {
  const problems: string[] = [];
  const top = objectAt(data, 'the top level', problems);
  if (top) {
    rejectUnknownKeys(top, Object.keys(FLEET_SECTIONS), '', problems);
    if (top.aliyun !== undefined) validateAliyun(top.aliyun, problems);
    if (top.ucloud !== undefined) validateUcloud(top.ucloud, problems);
  }
  if (problems.length > 0) throw new FleetFileError(source, problems);
  return data as Fleet;
}

function validateUcloud(value: unknown, problems: string[]): void {
  const ucloud = objectAt(value, 'ucloud', problems);
  if (!ucloud) return;
  rejectUnknownKeys(ucloud, Object.keys(UCLOUD_SECTION_KEYS), 'ucloud.', problems);
  if (ucloud.accounts !== undefined) {
    arrayAt(ucloud.accounts, 'ucloud.accounts', problems)?.forEach((account, index) => {
      checkFields(account, `ucloud.accounts[${index}]`, ACCOUNT_FIELDS, problems);
    });
  }
  if (ucloud.projects !== undefined) checkTextList(ucloud.projects, 'ucloud.projects', problems);
  if (ucloud.certificates === undefined) {
    problems.push('ucloud.certificates is missing (use [] for none)');
    return;
  }
  const firstIndexOfId = new Map<string, number>();
  arrayAt(ucloud.certificates, 'ucloud.certificates', problems)?.forEach((certificate, index) => {
    const path = `ucloud.certificates[${index}]`;
    const fields = checkFields(certificate, path, CERTIFICATE_FIELDS, problems);
    const id = fields?.SSLId;
    if (typeof id !== 'string') return;
    const first = firstIndexOfId.get(id);
    if (first === undefined) firstIndexOfId.set(id, index);
    else problems.push(`${path}.SSLId "${id}" repeats ucloud.certificates[${first}].SSLId`);
  });
}

function validateAliyun(value: unknown, problems: string[]): void {
  const aliyun = objectAt(value, 'aliyun', problems);
  if (!aliyun) return;
  rejectUnknownKeys(aliyun, Object.keys(ALIYUN_SECTION_KEYS), 'aliyun.', problems);
  // An AccessKeyId belongs to one account, an account id to one account: both unique across the whole section.
  const keyOwners = new Map<string, string>();
  const accountIds = new Map<string, string>();
  validateAliyunAccount(aliyun, 'aliyun', { keyOwners, accountIds }, problems);
  for (const [name, check] of Object.entries(MAIN_ACCOUNT_FIELDS)) {
    const problem = check(aliyun[name], `aliyun.${name}`, problems);
    if (problem) problems.push(`aliyun.${name} ${problem}`);
  }
  if (aliyun.members !== undefined) {
    arrayAt(aliyun.members, 'aliyun.members', problems)?.forEach((member, index) => {
      const path = `aliyun.members[${index}]`;
      const fields = checkFields(member, path, MEMBER_FIELDS, problems);
      if (fields) validateAliyunAccount(fields, path, { keyOwners, accountIds }, problems);
    });
  }
}

/** What the main account and each member have alike: id, keys, roles and resources (other fields: the caller). */
function validateAliyunAccount(
  account: Record<string, unknown>,
  path: string,
  seen: { keyOwners: Map<string, string>; accountIds: Map<string, string> },
  problems: string[],
): void {
  // Its form is checked with the account's other fields; here only that no other account has it.
  if (typeof account.accountId === 'string' && accountIdText(account.accountId, path, []) === null) {
    const first = seen.accountIds.get(account.accountId);
    if (first === undefined) seen.accountIds.set(account.accountId, `${path}.accountId`);
    else problems.push(`${path}.accountId "${account.accountId}" repeats ${first}`);
  }
  if (account.accounts !== undefined) {
    arrayAt(account.accounts, `${path}.accounts`, problems)?.forEach((pair, index) => {
      const pairPath = `${path}.accounts[${index}]`;
      const id = checkFields(pair, pairPath, ALIYUN_ACCOUNT_FIELDS, problems)?.AccessKeyId;
      if (typeof id !== 'string') return;
      const first = seen.keyOwners.get(id);
      if (first === undefined) seen.keyOwners.set(id, `${pairPath}.AccessKeyId`);
      else problems.push(`${pairPath}.AccessKeyId "${id}" repeats ${first}`);
    });
  }
  if (account.roles !== undefined) {
    const firstIndexOfRole = new Map<string, number>();
    arrayAt(account.roles, `${path}.roles`, problems)?.forEach((role, index) => {
      const rolePath = `${path}.roles[${index}]`;
      const name = checkFields(role, rolePath, ROLE_FIELDS, problems)?.roleName;
      // RAM role names are unique ignoring case.
      if (typeof name === 'string') {
        noRepeat(
          firstIndexOfRole,
          name.toLowerCase(),
          index,
          `${rolePath}.roleName`,
          `${path}.roles`,
          problems,
        );
      }
    });
  }
  if (account.cdn !== undefined) {
    validateCertificateList(account.cdn, `${path}.cdn`, CDN_CERTIFICATE_FIELDS, 'CertId', problems);
  }
  for (const key of ['cdnDomains', 'dcdnDomains'] as const) {
    if (account[key] !== undefined) validateDomainList(account[key], `${path}.${key}`, problems);
  }
  if (account.cas !== undefined) {
    validateCertificateList(account.cas, `${path}.cas`, CAS_CERTIFICATE_FIELDS, 'CertificateId', problems);
  }
  if (account.slb !== undefined) {
    validateCertificateList(
      account.slb,
      `${path}.slb`,
      SLB_CERTIFICATE_FIELDS,
      'ServerCertificateId',
      problems,
    );
  }
  for (const service of ['alb', 'nlb'] as const) {
    if (account[service] !== undefined)
      validateLoadBalancers(account[service], `${path}.${service}`, problems);
  }
}

/** `{loadBalancers: [...]}`: LoadBalancerId unique in the section, ListenerId unique across its load balancers. */
function validateLoadBalancers(value: unknown, path: string, problems: string[]): void {
  const section = objectAt(value, path, problems);
  if (!section) return;
  rejectUnknownKeys(section, ['loadBalancers'], `${path}.`, problems);
  if (section.loadBalancers === undefined) {
    problems.push(`${path}.loadBalancers is missing (use [] for none)`);
    return;
  }
  const firstLoadBalancer = new Map<string, number>();
  const firstListener = new Map<string, string>();
  arrayAt(section.loadBalancers, `${path}.loadBalancers`, problems)?.forEach((entry, index) => {
    const lbPath = `${path}.loadBalancers[${index}]`;
    const lb = checkFields(entry, lbPath, LOAD_BALANCER_FIELDS, problems);
    if (typeof lb?.LoadBalancerId === 'string') {
      noRepeat(
        firstLoadBalancer,
        lb.LoadBalancerId,
        index,
        `${lbPath}.LoadBalancerId`,
        `${path}.loadBalancers`,
        problems,
      );
    }
    if (!Array.isArray(lb?.listeners)) return;
    lb.listeners.forEach((listener, i) => {
      const id = isObject(listener) ? listener.ListenerId : undefined;
      if (typeof id !== 'string') return;
      const first = firstListener.get(id);
      if (first === undefined) firstListener.set(id, `${lbPath}.listeners[${i}]`);
      else problems.push(`${lbPath}.listeners[${i}].ListenerId "${id}" repeats ${first}.ListenerId`);
    });
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{certificates: [...]}` whose entries have `fields`, with `idField` unique across the list. */
function validateCertificateList(
  value: unknown,
  path: string,
  fields: Record<string, FieldCheck>,
  idField: string,
  problems: string[],
): void {
  const section = objectAt(value, path, problems);
  if (!section) return;
  rejectUnknownKeys(section, Object.keys(CERTIFICATES_KEY), `${path}.`, problems);
  if (section.certificates === undefined) {
    problems.push(`${path}.certificates is missing (use [] for none)`);
    return;
  }
  const firstIndexOfId = new Map<string, number>();
  arrayAt(section.certificates, `${path}.certificates`, problems)?.forEach((certificate, index) => {
    const entryPath = `${path}.certificates[${index}]`;
    const id = checkFields(certificate, entryPath, fields, problems)?.[idField];
    if (typeof id === 'string' || typeof id === 'number') {
      noRepeat(
        firstIndexOfId,
        String(id),
        index,
        `${entryPath}.${idField}`,
        `${path}.certificates`,
        problems,
      );
    }
  });
}

/** `{domains: [...]}` of HTTPS domains, each DomainName once (ignoring case, as DNS does). */
function validateDomainList(value: unknown, path: string, problems: string[]): void {
  const section = objectAt(value, path, problems);
  if (!section) return;
  rejectUnknownKeys(section, Object.keys(DOMAINS_KEY), `${path}.`, problems);
  if (section.domains === undefined) {
    problems.push(`${path}.domains is missing (use [] for none)`);
    return;
  }
  const firstIndexOfName = new Map<string, number>();
  arrayAt(section.domains, `${path}.domains`, problems)?.forEach((domain, index) => {
    const entryPath = `${path}.domains[${index}]`;
    const name = checkFields(domain, entryPath, HTTPS_DOMAIN_FIELDS, problems)?.DomainName;
    if (typeof name === 'string') {
      noRepeat(
        firstIndexOfName,
        name.toLowerCase(),
        index,
        `${entryPath}.DomainName`,
        `${path}.domains`,
        problems,
      );
    }
  });
}

function noRepeat(
  firstIndexOf: Map<string, number>,
  id: string,
  index: number,
  path: string,
  listPath: string,
  problems: string[],
): void {
  const first = firstIndexOf.get(id);
  if (first === undefined) firstIndexOf.set(id, index);
  else
    problems.push(`${path} "${id}" repeats ${listPath}[${first}].${path.slice(path.lastIndexOf('.') + 1)}`);
}

/** Checks one field; returns the problem ("must be ..."), or null when the value is fine. */
type FieldCheck = (value: unknown, path: string, problems: string[]) => string | null;

const required =
  (check: FieldCheck): FieldCheck =>
  (value, path, problems) =>
    value === undefined ? 'is missing' : check(value, path, problems);
const optional =
  (check: FieldCheck): FieldCheck =>
  (value, path, problems) =>
    value === undefined ? null : check(value, path, problems);

const text: FieldCheck = (value) => (typeof value === 'string' ? null : 'must be a string');
const nonEmptyText: FieldCheck = (value) =>
  typeof value === 'string' && value.trim() !== '' ? null : 'must be a non-empty string';
const flag: FieldCheck = (value) => (typeof value === 'boolean' ? null : 'must be true or false');
const nonNegativeNumber: FieldCheck = (value) =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? null : 'must be a non-negative number';
const textList: FieldCheck = (value, path, problems) => {
  checkTextList(value, path, problems);
  return null;
};

const RELATION_FIELDS: Record<keyof UcloudRelation, FieldCheck> = {
  LoadBalancerId: required(nonEmptyText),
  LoadBalancerName: required(text),
  ListenerId: required(nonEmptyText),
  ListenerName: required(text),
  IsDefault: required(flag),
};

const relations: FieldCheck = (value, path, problems) => {
  arrayAt(value, path, problems)?.forEach((relation, index) => {
    checkFields(relation, `${path}[${index}]`, RELATION_FIELDS, problems);
  });
  return null;
};

const ACCOUNT_FIELDS: Record<keyof UcloudAccount, FieldCheck> = {
  PublicKey: required(nonEmptyText),
  PrivateKey: required(nonEmptyText),
  Projects: optional(textList),
};

/** Typed against the model, so a field added there fails to compile here until it is validated. */
const CERTIFICATE_FIELDS: Record<keyof UcloudFleetCertificate, FieldCheck> = {
  Region: required(nonEmptyText),
  ProjectId: required(nonEmptyText),
  SSLId: required(nonEmptyText),
  SSLName: required(text),
  SSLType: optional(text),
  // Any string, even an empty one: a broken upload is a case the scanner must survive.
  SSLContent: required(text),
  CreateTime: optional(nonNegativeNumber),
  HashValue: optional(text),
  SSLSource: optional(nonNegativeNumber),
  USSLId: optional(text),
  Domains: optional(text),
  DNSNames: optional(text),
  NotBefore: optional(nonNegativeNumber),
  NotAfter: optional(nonNegativeNumber),
  Relations: optional(relations),
};

const ALIYUN_ACCOUNT_FIELDS: Record<keyof AliyunAccount, FieldCheck> = {
  AccessKeyId: required(nonEmptyText),
  AccessKeySecret: required(nonEmptyText),
};

const positiveInteger: FieldCheck = (value) =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0
    ? null
    : 'must be a positive whole number';
const oneOf =
  (...allowed: readonly (string | number)[]): FieldCheck =>
  (value) =>
    allowed.includes(value as string | number)
      ? null
      : `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;

const accountIdText: FieldCheck = (value) =>
  typeof value === 'string' && /^\d{1,32}$/.test(value)
    ? null
    : 'must be a string of digits, e.g. "1000000000000002"';

/** Typed against the model, so a field added there fails to compile here until it is validated. */
const ROLE_FIELDS: Record<keyof AliyunRole, FieldCheck> = {
  roleName: required(nonEmptyText),
  trusts: required((value, path, problems) => {
    arrayAt(value, path, problems)?.forEach((item, index) => {
      const problem = accountIdText(item, path, problems);
      if (problem) problems.push(`${path}[${index}] ${problem}`);
    });
    return null;
  }),
  // RAM's range for a role's MaxSessionDuration: one to twelve hours.
  maxSessionDuration: optional((value) =>
    typeof value === 'number' && Number.isInteger(value) && value >= 3600 && value <= 43_200
      ? null
      : 'must be a whole number of seconds from 3600 to 43200',
  ),
};

/**
 * The fields of a member checked here; the account-wide ones (accountId's uniqueness, keys, roles, resources)
 * are checked by validateAliyunAccount, so they are accepted as they are at this level.
 */
const anything: FieldCheck = () => null;
/** The main account's own fields beside its keys, roles and resources. */
const MAIN_ACCOUNT_FIELDS: Record<'accountId' | 'displayName' | 'resourceDirectory', FieldCheck> = {
  accountId: optional(accountIdText),
  displayName: optional(nonEmptyText),
  resourceDirectory: optional(flag),
};

const MEMBER_FIELDS: Record<keyof AliyunMemberAccount, FieldCheck> = {
  ...(Object.fromEntries(Object.keys(ALIYUN_MEMBER_KEYS).map((key) => [key, anything])) as Record<
    keyof AliyunMemberAccount,
    FieldCheck
  >),
  accountId: required(accountIdText),
  displayName: required(nonEmptyText),
  type: optional(oneOf('ResourceAccount', 'CloudAccount')),
  joinMethod: optional(oneOf('created', 'invited')),
  status: optional(nonEmptyText),
};

/** Typed against the model, so a field added there fails to compile here until it is validated. */
const CDN_CERTIFICATE_FIELDS: Record<keyof AliyunCdnCertificate, FieldCheck> = {
  CertId: required(positiveInteger),
  CertName: required(text),
  Common: optional(text),
  Fingerprint: optional(text),
  Issuer: optional(text),
  CertRegion: optional(text),
  LastTime: optional(nonNegativeNumber),
  CertType: optional(oneOf('free', 'cas', 'upload')),
  CreateTime: optional(text),
  // Any string: an unparseable expiry is a case the scanner must survive.
  CertExpireTime: optional(text),
  DomainList: optional(text),
  HttpsCrt: required(text),
};

/** Typed against the model, so a field added there fails to compile here until it is validated. */
const HTTPS_DOMAIN_FIELDS: Record<keyof AliyunHttpsDomain, FieldCheck> = {
  DomainName: required(nonEmptyText),
  CertName: optional(text),
  CertCommonName: optional(text),
  CertType: optional(oneOf('free', 'cas', 'upload')),
  CertStatus: optional(oneOf('ok', 'mismatch', 'expired', 'expire_soon')),
  CertStartTime: optional(text),
  // Any string: an unparseable expiry is a case the scanner must survive.
  CertExpireTime: optional(text),
  CertUpdateTime: optional(text),
};

/** Typed against the model, so a field added there fails to compile here until it is validated. */
const SLB_CERTIFICATE_FIELDS: Record<keyof AliyunSlbCertificate, FieldCheck> = {
  RegionId: required(nonEmptyText),
  ServerCertificateId: required(nonEmptyText),
  ServerCertificateName: required(text),
  Fingerprint: required(text),
  ResourceGroupId: optional(text),
  CommonName: optional(text),
  SubjectAlternativeNames: optional(textList),
  CreateTime: optional(text),
  CreateTimeStamp: optional(nonNegativeNumber),
  ExpireTime: optional(text),
  ExpireTimeStamp: optional(nonNegativeNumber),
  IsAliCloudCertificate: optional(oneOf(0, 1)),
  AliCloudCertificateId: optional(text),
  AliCloudCertificateName: optional(text),
  ServerCertificate: optional(text),
};

const CAS_CHAIN_FIELDS: Record<keyof AliyunCasChainLink, FieldCheck> = {
  CommonName: required(text),
  IssuerCommonName: optional(text),
  NotBefore: optional(nonNegativeNumber),
  NotAfter: optional(nonNegativeNumber),
  RemainDay: optional((value) => (typeof value === 'number' ? null : 'must be a number')),
};

const CAS_DEPLOYMENT_FIELDS: Record<keyof AliyunCasDeployment, FieldCheck> = {
  Id: required(positiveInteger),
  CloudProduct: required(nonEmptyText),
  RegionId: optional(text),
  InstanceId: optional(text),
  ListenerId: optional(text),
  ListenerPort: optional(text),
  Domain: optional(text),
  DefaultResource: optional(oneOf(0, 1)),
};

/** Typed against the model, so a field added there fails to compile here until it is validated. */
const LISTENER_CERTIFICATE_FIELDS: Record<keyof AliyunListenerCertificate, FieldCheck> = {
  CertificateId: required(nonEmptyText),
  IsDefault: required(flag),
};

const listItems =
  (fields: Record<string, FieldCheck>): FieldCheck =>
  (value, path, problems) => {
    arrayAt(value, path, problems)?.forEach((item, index) => {
      checkFields(item, `${path}[${index}]`, fields, problems);
    });
    return null;
  };

/** Typed against the model, so a field added there fails to compile here until it is validated. */
const CAS_CERTIFICATE_FIELDS: Record<keyof AliyunCasCertificate, FieldCheck> = {
  CertificateId: required(positiveInteger),
  Name: required(text),
  CommonName: optional(text),
  Sans: optional(text),
  Issuer: optional(text),
  OrgName: optional(text),
  // Any string: an unparseable date is a case the scanner must survive.
  StartDate: optional(text),
  EndDate: optional(text),
  CertStartTime: optional(nonNegativeNumber),
  CertEndTime: optional(nonNegativeNumber),
  Expired: optional(flag),
  Upload: required(flag),
  Status: optional(nonEmptyText),
  Fingerprint: optional(text),
  Sha2: optional(text),
  SerialNo: optional(text),
  InstanceId: optional(text),
  ResourceGroupId: optional(text),
  CertIdentifier: optional(text),
  NotBefore: optional(nonNegativeNumber),
  NotAfter: optional(nonNegativeNumber),
  Algorithm: optional(text),
  CertChain: optional(listItems(CAS_CHAIN_FIELDS)),
  Cert: optional(text),
  Key: optional(text),
  Deployments: optional(listItems(CAS_DEPLOYMENT_FIELDS)),
};

const LISTENER_FIELDS: Record<keyof AliyunListener, FieldCheck> = {
  ListenerId: required(nonEmptyText),
  port: required(positiveInteger),
  protocol: required(oneOf('HTTP', 'HTTPS', 'QUIC', 'TCP', 'UDP', 'TCPSSL')),
  certificates: required(listItems(LISTENER_CERTIFICATE_FIELDS)),
};

const LOAD_BALANCER_FIELDS: Record<keyof AliyunLoadBalancer, FieldCheck> = {
  RegionId: required(nonEmptyText),
  LoadBalancerId: required(nonEmptyText),
  name: required(text),
  DNSName: required(text),
  listeners: required(listItems(LISTENER_FIELDS)),
};

function checkFields(
  value: unknown,
  path: string,
  fields: Record<string, FieldCheck>,
  problems: string[],
): Record<string, unknown> | null {
  const object = objectAt(value, path, problems);
  if (!object) return null;
  rejectUnknownKeys(object, Object.keys(fields), `${path}.`, problems);
  for (const [name, check] of Object.entries(fields)) {
    const fieldPath = `${path}.${name}`;
    const problem = check(object[name], fieldPath, problems);
    if (problem) problems.push(`${fieldPath} ${problem}`);
  }
  return object;
}

function checkTextList(value: unknown, path: string, problems: string[]): void {
  arrayAt(value, path, problems)?.forEach((item, index) => {
    const problem = nonEmptyText(item, path, problems);
    if (problem) problems.push(`${path}[${index}] ${problem}`);
  });
}

function objectAt(value: unknown, path: string, problems: string[]): Record<string, unknown> | null {
  if (typeof value === 'object' && value !== null && !Array.isArray(value))
    return value as Record<string, unknown>;
  problems.push(`${path} must be an object`);
  return null;
}

function arrayAt(value: unknown, path: string, problems: string[]): unknown[] | null {
  if (Array.isArray(value)) return value;
  problems.push(`${path} must be an array`);
  return null;
}

function rejectUnknownKeys(
  object: Record<string, unknown>,
  known: string[],
  prefix: string,
  problems: string[],
) {
  for (const key of Object.keys(object)) {
    if (!known.includes(key))
      problems.push(`${prefix}${key} is not a known field (expected one of: ${known.join(', ')})`);
  }
}

/** A generated fleet section and where it is cached. */
export interface CachedFleet<Certificate> {
  certificates: Certificate[];
  /** The fleet file, a valid `--fleet` for the emulator. */
  path: string;
  /** True when read back from an earlier run, false when generated now. */
  fromCache: boolean;
}

export type CachedUcloudFleet = CachedFleet<UcloudFleetCertificate>;

/**
 * `generateUcloudFleet(options)`, kept on disk under `cacheDir` (relative to the working directory) and keyed by
 * every option and the generator version. Pass a fixed `now` (a day boundary, say) to reuse a fleet across runs:
 * a fresh `Date.now()` is a fresh key.
 */
export function cachedUcloudFleet(
  options: UcloudFleetOptions,
  cacheDir = '.cache/fleets',
): CachedUcloudFleet {
  return cachedFleet({
    name: `ucloud-${options.count}-seed${options.seed}`,
    key: [
      UCLOUD_FLEET_GENERATOR_VERSION,
      options.seed,
      options.count,
      options.now,
      options.regions,
      options.projects,
    ],
    cacheDir,
    generate: () => generateUcloudFleet(options),
    toFleet: (certificates) => ({ ucloud: { certificates } }),
    fromFleet: (fleet) => fleet.ucloud?.certificates,
  });
}

/** `generateAliyunCdnFleet(options)`, cached like {@link cachedUcloudFleet}. */
export function cachedAliyunCdnFleet(
  options: AliyunCdnFleetOptions,
  cacheDir = '.cache/fleets',
): CachedFleet<AliyunCdnCertificate> {
  return cachedFleet({
    name: `aliyun-cdn-${options.count}-seed${options.seed}`,
    key: [ALIYUN_FLEET_GENERATOR_VERSION, 'cdn', options.seed, options.count, options.now],
    cacheDir,
    generate: () => generateAliyunCdnFleet(options),
    toFleet: (certificates) => ({ aliyun: { cdn: { certificates } } }),
    fromFleet: (fleet) => fleet.aliyun?.cdn?.certificates,
  });
}

/**
 * `generateAliyunSlbFleet(options)`, cached like {@link cachedUcloudFleet}. The key covers the shared PEMs'
 * bytes, so pass them from a cached fleet too, or every run is a miss (their key material is per process).
 */
export function cachedAliyunSlbFleet(
  options: AliyunSlbFleetOptions,
  cacheDir = '.cache/fleets',
): CachedFleet<AliyunSlbCertificate> {
  const shared = createHash('sha256');
  for (const pem of options.sharedCertificates ?? []) shared.update(pem).update('\u0000');
  return cachedFleet({
    name: `aliyun-slb-${options.count}-seed${options.seed}`,
    key: [
      ALIYUN_FLEET_GENERATOR_VERSION,
      'slb',
      options.seed,
      options.count,
      options.now,
      options.regions,
      shared.digest('hex'),
    ],
    cacheDir,
    generate: () => generateAliyunSlbFleet(options),
    toFleet: (certificates) => ({ aliyun: { slb: { certificates } } }),
    fromFleet: (fleet) => fleet.aliyun?.slb?.certificates,
  });
}

/**
 * `generateAliyunAccountsFleet(options)`, each account's resources cached in a file of its own (a 200,000-certificate
 * fleet would not fit in one JSON string), keyed like {@link cachedUcloudFleet}. `fromCache` is true when every
 * account was read back.
 */
export function cachedAliyunAccountsFleet(
  options: AliyunAccountsFleetOptions,
  cacheDir = '.cache/fleets',
): { fleet: NonNullable<Fleet['aliyun']>; fromCache: boolean } {
  let fromCache = true;
  const resources = (index: number): AliyunAccountResources => {
    const cached = cachedFleet({
      name: `aliyun-account${index}-seed${options.seed}`,
      key: [
        ALIYUN_FLEET_GENERATOR_VERSION,
        'account',
        index,
        options.seed,
        options.now,
        options.perAccount,
        options.regions,
      ],
      cacheDir,
      generate: () => [generateAliyunAccountResources(index, options)],
      toFleet: ([one]) => ({ aliyun: { ...one } }),
      fromFleet: (fleet) => (fleet.aliyun ? [fleet.aliyun] : undefined),
    });
    fromCache &&= cached.fromCache;
    return cached.certificates[0]!;
  };
  return { fleet: generateAliyunAccountsFleet({ ...options, resources }), fromCache };
}

interface CacheRecipe<Certificate> {
  /** File name prefix: what and how many. */
  name: string;
  /** Everything the fleet depends on, generator version included. */
  key: unknown[];
  cacheDir: string;
  generate: () => Certificate[];
  toFleet: (certificates: Certificate[]) => Fleet;
  fromFleet: (fleet: Fleet) => Certificate[] | undefined;
}

function cachedFleet<Certificate>(recipe: CacheRecipe<Certificate>): CachedFleet<Certificate> {
  const key = createHash('sha256').update(JSON.stringify(recipe.key)).digest('hex').slice(0, 16);
  const path = join(recipe.cacheDir, `${recipe.name}-${key}.json`);
  if (existsSync(path)) {
    try {
      const certificates = recipe.fromFleet(readFleetFile(path));
      if (certificates) return { certificates, path, fromCache: true };
    } catch {
      // A torn or hand-edited cache file is only a cache miss.
    }
  }
  const certificates = recipe.generate();
  mkdirSync(recipe.cacheDir, { recursive: true });
  // Write then rename, so a concurrent reader never sees half a file.
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, JSON.stringify(recipe.toFleet(certificates)));
  renameSync(partial, path);
  return { certificates, path, fromCache: false };
}
