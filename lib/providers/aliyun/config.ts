/** Alibaba Cloud's settings and how they are read (part of loadConfig, lib/config.ts). */

import type { AccountRef } from '../../model';
import {
  type EndpointRules,
  REGION,
  readBoolean,
  readEndpoint,
  readList,
  readWholeNumber,
} from '../../settings/readers';
import type { Setting, SettingGet } from '../../settings/setting';
import type { SigningCredentials } from './signature';

export interface AliyunConfig {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string | null;
  /** SLB regions to scan; empty: SLB is not scanned. */
  slbRegions: string[];
  /** Whether CDN certificates are scanned (CDN is global: it needs no region). */
  scanCdn: boolean;
  cdnEndpoint: string;
  /** Whether CDN's HTTPS domains are scanned (DescribeCdnHttpsDomainList; global, through cdnEndpoint). */
  scanCdnDomains: boolean;
  /** Whether DCDN's HTTPS domains are scanned (DescribeDcdnHttpsDomainList; global). */
  scanDcdn: boolean;
  dcdnEndpoint: string;
  /** Overrides every region's SLB endpoint (for emulators); null: the regional endpoints. */
  slbEndpoint: string | null;
  /** Whether the Certificate Management Service (CAS) inventory is scanned (CAS is global: no region). */
  scanCas: boolean;
  casEndpoint: string;
  /** ALB regions whose HTTPS and QUIC listeners' certificates are scanned; empty: ALB is not scanned. */
  albRegions: string[];
  /** Overrides every region's ALB endpoint; null: `alb.{region}.aliyuncs.com`. */
  albEndpoint: string | null;
  /** NLB regions whose TCPSSL listeners' certificates are scanned; empty: NLB is not scanned. */
  nlbRegions: string[];
  /** Overrides every region's NLB endpoint; null: `nlb.{region}.aliyuncs.com`. */
  nlbEndpoint: string | null;
  /** The account of the configured keys, as records name it (its id only when set: the keys do not say it). */
  account: AccountRef;
  /** More accounts, each reached by assuming a role in it with the configured keys (STS AssumeRole). */
  assumeRoles: AssumedRole[];
  /** More accounts, each read with a key pair of its own (ALIBABA_CLOUD_ACCOUNT_KEYS). */
  keyedAccounts: KeyedAccount[];
  /** In the sharded mode, how many shards the keyed accounts are spread over; 0: they ride in the keys' own. */
  keyedAccountShards: number;
  /**
   * Every member of the Resource Directory whose management account the configured keys belong to, each through
   * this role; null: members are not looked up.
   */
  resourceDirectory: {
    roleName: string;
    /** How many shards the members are spread over in the sharded mode. */
    shards: number;
    /**
     * Set by the sharded mode's narrowing only: this shard scans the members in this slot (inSlot: by account id,
     * so a member joining or leaving moves no other); absent: every member.
     */
    slot?: { index: number; count: number };
  } | null;
  stsEndpoint: string;
  resourceManagerEndpoint: string;
  /**
   * False when a shard scans one assumed account alone (its provider module's `narrow`): the keys' own account is
   * then not scanned. Never read from settings; absent means true.
   */
  scanOwnAccount?: boolean;
  /**
   * The names of the assumed roles' accounts that other shards scan (the sharded mode's narrowing): this
   * configuration skips them, and its Resource Directory still knows them, so it does not scan them again.
   */
  rolesElsewhere?: readonly string[];
  /**
   * False when other shards scan the accounts with keys of their own (ALIBABA_CLOUD_ACCOUNT_KEYS_SHARDS): skipped
   * here, still known to the directory. Absent means true.
   */
  scanKeyed?: boolean;
  /**
   * Set by the provider for the sources of one account other than the keys' own (./accounts.ts): never read from
   * settings. Its clients sign with the account's temporary credentials and pace in the account's lane.
   */
  session?: AliyunSession;
}

/** An account certwatch reaches by assuming a role in it. */
export interface AssumedRole {
  account: AccountRef;
  /** `acs:ram::<account id>:role/<role name>`. */
  roleArn: string;
}

/** An account certwatch reads with a key pair of its own. */
export interface KeyedAccount {
  /** Its id is always known: the history keys of its certificates end in it. */
  account: AccountRef & { id: string };
  credentials: SigningCredentials;
}

/** How the clients of one account sign and pace (./accounts.ts builds them). */
export interface AliyunSession {
  account: AccountRef;
  credentials: () => Promise<SigningCredentials>;
  /** The pacing lane's key: the account (limits are per account, whatever key signs). */
  lane: string;
  /** Where its key pair is set, as advice names it; absent: ALIBABA_CLOUD_ACCESS_KEY_ID and _SECRET. */
  keyNames?: { accessKeyId: string; accessKeySecret: string };
}

export const DEFAULT_CDN_ENDPOINT = 'https://cdn.aliyuncs.com';
/** DCDN has one endpoint for every region, the international site's included (reference §5). */
export const DEFAULT_DCDN_ENDPOINT = 'https://dcdn.aliyuncs.com';
/** The China site's CAS endpoint; every cn-* region maps to it (reference §2). */
export const DEFAULT_CAS_ENDPOINT = 'https://cas.aliyuncs.com';
/** STS's central endpoint (reference §6). */
export const DEFAULT_STS_ENDPOINT = 'https://sts.aliyuncs.com';
export const DEFAULT_RESOURCE_MANAGER_ENDPOINT = 'https://resourcemanager.aliyuncs.com';
/** The role the Resource Directory creates in every member, trusted by the management account (reference §6). */
export const RESOURCE_DIRECTORY_ROLE = 'ResourceDirectoryAccountAccessRole';
/** Members of a Resource Directory are spread over this many shards: up to ten accounts each their own. */
export const DEFAULT_DIRECTORY_SHARDS = 10;
/** `acs:ram::<account id>:role/<role name>` (RAM role ARNs; a role name is 1-64 of letters, digits, . and -). */
const ROLE_ARN = /^acs:ram::(\d{1,32}):role\/([A-Za-z0-9.-]{1,64})$/;
const ACCOUNT_NAME = /^[^\s=,][^=,]{0,63}$/;

export const ALIYUN_SETTINGS: readonly Setting[] = [
  {
    key: 'ALIBABA_CLOUD_ACCESS_KEY_ID',
    description:
      'Alibaba Cloud AccessKey id (read access to CDN, DCDN, SLB and CAS; `slb:UploadServerCertificate` for `upload`)',
    secret: true,
  },
  {
    key: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
    description: 'Alibaba Cloud AccessKey secret, the pair of the id',
    secret: true,
  },
  {
    key: 'ALIBABA_CLOUD_SECURITY_TOKEN',
    description: 'STS token, when the key pair is temporary',
    notDeployed: 'temporary credentials expire within hours: the function reads long-lived keys from SSM',
  },
  {
    key: 'ALIBABA_CLOUD_SLB_REGIONS',
    description: 'SLB regions to scan, comma-separated (`cn-hangzhou,cn-shanghai`)',
    default: 'none: SLB not scanned',
  },
  {
    key: 'ALIBABA_CLOUD_SCAN_CDN',
    description: 'scan CDN certificates (CDN is global: no region)',
    default: '`true` with the keys',
  },
  {
    key: 'ALIBABA_CLOUD_CDN_ENDPOINT',
    description:
      'the CDN API endpoint (`https://cdn.ap-southeast-1.aliyuncs.com` for the international site)',
    default: `\`${DEFAULT_CDN_ENDPOINT}\``,
  },
  {
    key: 'ALIBABA_CLOUD_SCAN_CDN_DOMAINS',
    description:
      "scan CDN's HTTPS domains (`DescribeCdnHttpsDomainList`): every domain's certificate, free and CAS ones too",
    default: 'as `ALIBABA_CLOUD_SCAN_CDN`',
  },
  {
    key: 'ALIBABA_CLOUD_SCAN_DCDN',
    description:
      "scan DCDN's HTTPS domains (`DescribeDcdnHttpsDomainList`); an account without DCDN lists none",
    default:
      "as `ALIBABA_CLOUD_SCAN_CDN`, but `false` when an endpoint setting points away from Alibaba's hosts and " +
      '`ALIBABA_CLOUD_DCDN_ENDPOINT` is not set',
  },
  {
    key: 'ALIBABA_CLOUD_DCDN_ENDPOINT',
    description: 'the DCDN API endpoint',
    default: `\`${DEFAULT_DCDN_ENDPOINT}\``,
  },
  {
    key: 'ALIBABA_CLOUD_SLB_ENDPOINT',
    description: 'one endpoint for every SLB region (emulators, proxies)',
    default: '`slb.aliyuncs.com` for central regions, else `slb.{region}.aliyuncs.com`',
  },
  {
    key: 'ALIBABA_CLOUD_SCAN_CAS',
    description:
      'scan the Certificate Management Service (CAS): issued, uploaded and expired certificates, and where each is ' +
      'deployed (CAS is global: no region)',
    default:
      "`true` with the keys, but `false` when an endpoint setting points away from Alibaba's hosts and " +
      '`ALIBABA_CLOUD_CAS_ENDPOINT` is not set',
  },
  {
    key: 'ALIBABA_CLOUD_CAS_ENDPOINT',
    description:
      'the CAS API endpoint (`https://cas.ap-southeast-1.aliyuncs.com` for the international site)',
    default: `\`${DEFAULT_CAS_ENDPOINT}\``,
  },
  {
    key: 'ALIBABA_CLOUD_ALB_REGIONS',
    description:
      'ALB regions whose HTTPS and QUIC listener certificates are scanned, comma-separated (`cn-hangzhou`)',
    default: 'none: ALB not scanned',
  },
  {
    key: 'ALIBABA_CLOUD_ALB_ENDPOINT',
    description: 'one endpoint for every ALB region (emulators, proxies)',
    default: '`alb.{region}.aliyuncs.com`',
  },
  {
    key: 'ALIBABA_CLOUD_NLB_REGIONS',
    description:
      'NLB regions whose TCPSSL listener certificates are scanned, comma-separated (`cn-hangzhou`)',
    default: 'none: NLB not scanned',
  },
  {
    key: 'ALIBABA_CLOUD_NLB_ENDPOINT',
    description: 'one endpoint for every NLB region (emulators, proxies)',
    default: '`nlb.{region}.aliyuncs.com`',
  },
  {
    key: 'ALIBABA_CLOUD_ACCOUNT_NAME',
    description: "the configured keys' account as reports and alerts name it",
    default: '`default`',
  },
  {
    key: 'ALIBABA_CLOUD_ACCOUNT_ID',
    description: "the configured keys' account id (the keys do not say it; reports show it when set)",
    default: 'none',
  },
  {
    key: 'ALIBABA_CLOUD_ASSUME_ROLES',
    description:
      'more accounts, each through a role the keys assume (STS AssumeRole), comma-separated role ARNs with an ' +
      'optional name: `shop-prod=acs:ram::1234567890123456:role/certwatch-reader` (a config file may give a list)',
    default: 'none',
  },
  {
    key: 'ALIBABA_CLOUD_ACCOUNT_KEYS',
    description:
      'more accounts, each with a key pair of its own, comma-separated `name=<account id>:<AccessKey id>:<AccessKey ' +
      'secret>` (`shop-prod=1234567890123456:LTAI...:...`)',
    secret: true,
  },
  {
    key: 'ALIBABA_CLOUD_ACCOUNT_KEYS_SHARDS',
    description:
      'in the sharded mode, how many shards the accounts of `ALIBABA_CLOUD_ACCOUNT_KEYS` are spread over (the ' +
      "planner cannot read that secret, so it is told here); 0: they are scanned in the keys' own account's shards",
    default: '`0`',
  },
  {
    key: 'ALIBABA_CLOUD_RESOURCE_DIRECTORY',
    description:
      "scan every member account of the keys' Resource Directory (ListAccounts; the keys must be the management " +
      "account's), each through `ALIBABA_CLOUD_RESOURCE_DIRECTORY_ROLE`",
    default: '`false`',
  },
  {
    key: 'ALIBABA_CLOUD_RESOURCE_DIRECTORY_ROLE',
    description: 'the role assumed in each Resource Directory member',
    default: `\`${RESOURCE_DIRECTORY_ROLE}\``,
  },
  {
    key: 'ALIBABA_CLOUD_RESOURCE_DIRECTORY_SHARDS',
    description:
      'in the sharded mode, how many shards the Resource Directory members are spread over (each member in one, ' +
      'every service of it)',
    default: `\`${DEFAULT_DIRECTORY_SHARDS}\``,
  },
  {
    key: 'ALIBABA_CLOUD_STS_ENDPOINT',
    description: 'the STS API endpoint (AssumeRole)',
    default: `\`${DEFAULT_STS_ENDPOINT}\``,
  },
  {
    key: 'ALIBABA_CLOUD_RESOURCE_MANAGER_ENDPOINT',
    description: 'the Resource Manager API endpoint (ListAccounts)',
    default: `\`${DEFAULT_RESOURCE_MANAGER_ENDPOINT}\``,
  },
];

/** The per-region listener services: their regions setting and endpoint override. */
const LISTENER_SERVICES = [
  { regions: 'ALIBABA_CLOUD_ALB_REGIONS', endpoint: 'ALIBABA_CLOUD_ALB_ENDPOINT' },
  { regions: 'ALIBABA_CLOUD_NLB_REGIONS', endpoint: 'ALIBABA_CLOUD_NLB_ENDPOINT' },
] as const;

// Alibaba's RPC signature covers a Timestamp and a one-time SignatureNonce: a request is good for 15 minutes
// and once (https://www.alibabacloud.com/help/en/sdk/product-overview/rpc-mechanism).
const READ_PLAIN_HTTP_RISK =
  'anyone on the way reads the AccessKey id, the STS token if one is set, and every certificate the API ' +
  'returns, and can alter the replies';
const SLB_PLAIN_HTTP_RISK =
  'anyone on the way reads the AccessKey id, the STS token if one is set, and every certificate the API ' +
  'returns (with certwatch upload, the private key too), and can alter the replies';
const STS_PLAIN_HTTP_RISK =
  'anyone on the way reads the AccessKey id and every temporary key pair STS hands out, and can act as the assumed ' +
  'roles until those expire';
const CAS_PLAIN_HTTP_RISK =
  'anyone on the way reads the AccessKey id, the STS token if one is set, and the certificate inventory, and can ' +
  'alter the replies';

export function readAliyun(
  get: SettingGet,
  problems: string[],
  endpoints: EndpointRules,
): AliyunConfig | null {
  const accessKeyId = get('ALIBABA_CLOUD_ACCESS_KEY_ID');
  const accessKeySecret = get('ALIBABA_CLOUD_ACCESS_KEY_SECRET');
  const regionsText = get('ALIBABA_CLOUD_SLB_REGIONS');
  const listenerRegionsText = LISTENER_SERVICES.map((service) => get(service.regions));
  if (!accessKeyId && !accessKeySecret) {
    const named = [
      ...(regionsText ? ['ALIBABA_CLOUD_SLB_REGIONS'] : []),
      ...LISTENER_SERVICES.filter((_, i) => listenerRegionsText[i]).map((service) => service.regions),
    ];
    if (named.length > 0) {
      problems.push(
        `${named.join(' and ')} ${named.length === 1 ? 'is' : 'are'} set but ALIBABA_CLOUD_ACCESS_KEY_ID and ` +
          'ALIBABA_CLOUD_ACCESS_KEY_SECRET are not: set both keys',
      );
    }
    return null;
  }
  if (!accessKeyId)
    problems.push(
      'ALIBABA_CLOUD_ACCESS_KEY_ID is missing (ALIBABA_CLOUD_ACCESS_KEY_SECRET is set): set both',
    );
  if (!accessKeySecret) {
    problems.push(
      'ALIBABA_CLOUD_ACCESS_KEY_SECRET is missing (ALIBABA_CLOUD_ACCESS_KEY_ID is set): set both',
    );
  }
  const slbRegions = readList(
    regionsText,
    'ALIBABA_CLOUD_SLB_REGIONS',
    REGION,
    'cn-hangzhou,cn-shanghai',
    problems,
  );
  const scanCdn = readBoolean(get, 'ALIBABA_CLOUD_SCAN_CDN', true, problems);
  const cdnEndpoint = readEndpoint(
    get,
    {
      key: 'ALIBABA_CLOUD_CDN_ENDPOINT',
      fallback: DEFAULT_CDN_ENDPOINT,
      plainHttpRisk: READ_PLAIN_HTTP_RISK,
    },
    problems,
    endpoints,
  );
  const slbEndpoint = readEndpoint(
    get,
    { key: 'ALIBABA_CLOUD_SLB_ENDPOINT', fallback: null, plainHttpRisk: SLB_PLAIN_HTTP_RISK },
    problems,
    endpoints,
  );
  const dcdnEndpoint = readEndpoint(
    get,
    { key: 'ALIBABA_CLOUD_DCDN_ENDPOINT', fallback: null, plainHttpRisk: READ_PLAIN_HTTP_RISK },
    problems,
    endpoints,
  );
  // The domain lists are CDN's own API (same endpoint, account and RAM service), so they follow CDN.
  const scanCdnDomains = readBoolean(get, 'ALIBABA_CLOUD_SCAN_CDN_DOMAINS', scanCdn, problems);
  const casEndpoint = readEndpoint(
    get,
    { key: 'ALIBABA_CLOUD_CAS_ENDPOINT', fallback: null, plainHttpRisk: CAS_PLAIN_HTTP_RISK },
    problems,
    endpoints,
  );
  const [albRegions, nlbRegions] = LISTENER_SERVICES.map((service, i) =>
    readList(listenerRegionsText[i], service.regions, REGION, 'cn-hangzhou,cn-shanghai', problems),
  ) as [string[], string[]];
  const [albEndpoint, nlbEndpoint] = LISTENER_SERVICES.map((service) =>
    readEndpoint(
      get,
      { key: service.endpoint, fallback: null, plainHttpRisk: READ_PLAIN_HTTP_RISK },
      problems,
      endpoints,
    ),
  ) as [string | null, string | null];
  // DCDN and CAS are hosts of their own, on by default: but an endpoint pointed elsewhere (a proxy, an emulator)
  // means calls must not go around it to dcdn.aliyuncs.com or cas.aliyuncs.com unless that service's endpoint is
  // named too.
  const throughAlibaba = [cdnEndpoint, slbEndpoint, albEndpoint, nlbEndpoint].every(
    (endpoint) => endpoint === null || isAlibabaEndpoint(endpoint),
  );
  const scanDcdn = readBoolean(
    get,
    'ALIBABA_CLOUD_SCAN_DCDN',
    scanCdn && (throughAlibaba || dcdnEndpoint !== null),
    problems,
  );
  const scanCas = readBoolean(
    get,
    'ALIBABA_CLOUD_SCAN_CAS',
    throughAlibaba || casEndpoint !== null,
    problems,
  );
  if (
    !scanCdn &&
    !scanCdnDomains &&
    !scanDcdn &&
    !scanCas &&
    slbRegions.length === 0 &&
    regionsText === undefined &&
    listenerRegionsText.every((text) => text === undefined)
  ) {
    problems.push(
      'ALIBABA_CLOUD_SCAN_CDN and ALIBABA_CLOUD_SCAN_CAS are false and none of ALIBABA_CLOUD_SLB_REGIONS, ' +
        'ALIBABA_CLOUD_ALB_REGIONS, ALIBABA_CLOUD_NLB_REGIONS is set: nothing of Alibaba Cloud would be scanned; ' +
        'list SLB, ALB or NLB regions, or scan CDN or CAS',
    );
  }
  const accounts = readAccounts(get, problems, endpoints);
  // Read even when the key pair is incomplete: the settings a reader declares are the ones it asks for.
  const securityToken = get('ALIBABA_CLOUD_SECURITY_TOKEN') ?? null;
  if (!accessKeyId || !accessKeySecret) return null;
  return {
    accessKeyId,
    accessKeySecret,
    securityToken,
    slbRegions,
    scanCdn,
    cdnEndpoint: cdnEndpoint ?? DEFAULT_CDN_ENDPOINT,
    scanCdnDomains,
    scanDcdn,
    dcdnEndpoint: dcdnEndpoint ?? DEFAULT_DCDN_ENDPOINT,
    slbEndpoint,
    scanCas,
    casEndpoint: casEndpoint ?? DEFAULT_CAS_ENDPOINT,
    albRegions,
    albEndpoint,
    nlbRegions,
    nlbEndpoint,
    ...accounts,
  };
}

/** The accounts beside the keys' own: roles to assume, a Resource Directory to list, and where STS and RD are. */
function readAccounts(
  get: SettingGet,
  problems: string[],
  endpoints: EndpointRules,
): Pick<
  AliyunConfig,
  | 'account'
  | 'assumeRoles'
  | 'keyedAccounts'
  | 'keyedAccountShards'
  | 'resourceDirectory'
  | 'stsEndpoint'
  | 'resourceManagerEndpoint'
> {
  const name = get('ALIBABA_CLOUD_ACCOUNT_NAME') ?? 'default';
  if (!ACCOUNT_NAME.test(name)) {
    problems.push(
      `ALIBABA_CLOUD_ACCOUNT_NAME "${name}" is not an account name: up to 64 characters, no comma or "="`,
    );
  }
  const id = get('ALIBABA_CLOUD_ACCOUNT_ID') ?? null;
  if (id !== null && !/^\d{1,32}$/.test(id)) {
    problems.push(`ALIBABA_CLOUD_ACCOUNT_ID "${id}" is not an Alibaba Cloud account id (digits only)`);
  }
  const assumeRoles: AssumedRole[] = [];
  const rolesText = get('ALIBABA_CLOUD_ASSUME_ROLES');
  const seen = new Set<string>([name]);
  const roleEntries = rolesText === undefined ? [] : rolesText.split(',').map((item) => item.trim());
  for (const [index, entry] of roleEntries.entries()) {
    const at = entry.indexOf('=');
    const roleArn = at < 0 ? entry : entry.slice(at + 1).trim();
    const match = ROLE_ARN.exec(roleArn);
    if (!match) {
      // An ARN is no secret and is quoted; anything else (a key pair pasted here) is not.
      const shown = /^(acs|arn):/.test(roleArn)
        ? `"${entry}"`
        : `${index + 1} (not shown: it may hold a key)`;
      problems.push(
        `ALIBABA_CLOUD_ASSUME_ROLES has a malformed entry ${shown}: give role ARNs such as ` +
          'shop-prod=acs:ram::1234567890123456:role/certwatch-reader, comma-separated',
      );
      continue;
    }
    const accountName = at < 0 ? match[1]! : entry.slice(0, at).trim();
    if (!ACCOUNT_NAME.test(accountName) || seen.has(accountName)) {
      problems.push(
        `ALIBABA_CLOUD_ASSUME_ROLES names the account "${accountName}" ${seen.has(accountName) ? 'twice' : 'badly'}: ` +
          'give each account its own name (up to 64 characters, no comma or "=")',
      );
      continue;
    }
    seen.add(accountName);
    assumeRoles.push({ account: { id: match[1]!, name: accountName }, roleArn });
  }
  const keyedAccounts = readKeyedAccounts(get('ALIBABA_CLOUD_ACCOUNT_KEYS'), seen, problems);
  const ids = [
    id,
    ...assumeRoles.map((role) => role.account.id),
    ...keyedAccounts.map((keyed) => keyed.account.id),
  ];
  const twice = [...new Set(ids.filter((one, at) => one !== null && ids.indexOf(one) !== at))];
  if (twice.length > 0) {
    problems.push(
      `the account id${twice.length === 1 ? '' : 's'} ${twice.join(', ')} ${twice.length === 1 ? 'is' : 'are'} ` +
        'configured more than once (ALIBABA_CLOUD_ACCOUNT_ID, ALIBABA_CLOUD_ASSUME_ROLES, ALIBABA_CLOUD_ACCOUNT_KEYS): ' +
        'give each account one way in',
    );
  }
  const directory = readBoolean(get, 'ALIBABA_CLOUD_RESOURCE_DIRECTORY', false, problems);
  const roleName = get('ALIBABA_CLOUD_RESOURCE_DIRECTORY_ROLE') ?? RESOURCE_DIRECTORY_ROLE;
  if (!/^[A-Za-z0-9.-]{1,64}$/.test(roleName)) {
    problems.push(
      `ALIBABA_CLOUD_RESOURCE_DIRECTORY_ROLE "${roleName}" is not a RAM role name (1-64 of letters, digits, . and -)`,
    );
  }
  const keyedShardsText = get('ALIBABA_CLOUD_ACCOUNT_KEYS_SHARDS') ?? '0';
  const keyedAccountShards = /^\d{1,3}$/.test(keyedShardsText) ? Number(keyedShardsText) : Number.NaN;
  if (!(keyedAccountShards <= 100)) {
    problems.push(
      `ALIBABA_CLOUD_ACCOUNT_KEYS_SHARDS "${keyedShardsText}" must be a whole number from 0 to 100`,
    );
  }
  const directoryShards = readWholeNumber(
    get,
    'ALIBABA_CLOUD_RESOURCE_DIRECTORY_SHARDS',
    { fallback: DEFAULT_DIRECTORY_SHARDS, max: 100, statesRange: true },
    problems,
  );
  const stsEndpoint = readEndpoint(
    get,
    { key: 'ALIBABA_CLOUD_STS_ENDPOINT', fallback: DEFAULT_STS_ENDPOINT, plainHttpRisk: STS_PLAIN_HTTP_RISK },
    problems,
    endpoints,
  );
  const resourceManagerEndpoint = readEndpoint(
    get,
    {
      key: 'ALIBABA_CLOUD_RESOURCE_MANAGER_ENDPOINT',
      fallback: DEFAULT_RESOURCE_MANAGER_ENDPOINT,
      plainHttpRisk: READ_PLAIN_HTTP_RISK,
    },
    problems,
    endpoints,
  );
  return {
    account: { id, name },
    assumeRoles,
    keyedAccounts,
    keyedAccountShards: keyedAccountShards <= 100 ? keyedAccountShards : 0,
    resourceDirectory: directory ? { roleName, shards: directoryShards ?? DEFAULT_DIRECTORY_SHARDS } : null,
    stsEndpoint: stsEndpoint ?? DEFAULT_STS_ENDPOINT,
    resourceManagerEndpoint: resourceManagerEndpoint ?? DEFAULT_RESOURCE_MANAGER_ENDPOINT,
  };
}

/** `<account id>:<AccessKey id>:<AccessKey secret>` after an account's name and `=`. */
const KEYED_ACCOUNT = /^(\d{1,32}):([^\s:,]{1,128}):([^\s:,]{1,128})$/;

/**
 * ALIBABA_CLOUD_ACCOUNT_KEYS: `name=<account id>:<AccessKey id>:<AccessKey secret>`, comma-separated. A malformed
 * entry is named by its place only, never by its text, which may hold a key.
 */
function readKeyedAccounts(text: string | undefined, seen: Set<string>, problems: string[]): KeyedAccount[] {
  const keyed: KeyedAccount[] = [];
  // Numbered as written, blank ones left out: the number is all a mistake is named by.
  const entries =
    text === undefined
      ? []
      : text
          .split(/[,\n]/)
          .map((item) => item.trim())
          .filter(Boolean);
  entries.forEach((entry, index) => {
    const at = entry.indexOf('=');
    const name = at < 0 ? '' : entry.slice(0, at).trim();
    const match = KEYED_ACCOUNT.exec(at < 0 ? '' : entry.slice(at + 1).trim());
    if (!ACCOUNT_NAME.test(name) || !match) {
      problems.push(
        `ALIBABA_CLOUD_ACCOUNT_KEYS entry ${index + 1} is malformed: give name=<account id>:<AccessKey id>:<AccessKey secret>, ` +
          'comma-separated (the account id is digits; the entry is not shown, it holds a secret)',
      );
      return;
    }
    if (seen.has(name)) {
      problems.push(
        `ALIBABA_CLOUD_ACCOUNT_KEYS entry ${index + 1} names the account "${name}" twice: give each account its own name`,
      );
      return;
    }
    seen.add(name);
    keyed.push({
      account: { id: match[1]!, name },
      credentials: { accessKeyId: match[2]!, accessKeySecret: match[3]! },
    });
  });
  return keyed;
}

/** An Alibaba Cloud API host (`cdn.aliyuncs.com`, `cdn.ap-southeast-1.aliyuncs.com`), not a proxy or an emulator. */
function isAlibabaEndpoint(url: string): boolean {
  try {
    return /(^|\.)aliyuncs\.com$/.test(new URL(url).hostname);
  } catch {
    return false;
  }
}
