/**
 * Configuration: a pure function of the environment and an optional file. Every problem is reported at once,
 * each naming its key; secret values are never echoed.
 */

import { type Ladder, MAX_LADDER_DAYS, parseLadder } from './alerts/ladder';
import { CHANNEL_KEYS, type ChannelsConfig, readChannels } from './channels/channelConfig';
import { ConfigError } from './errors';
import { DEFAULT_STATUS_DAYS, type StatusDays } from './expiry/status';
import { isLoopbackHost } from './plainHttp';

export interface UcloudConfig {
  publicKey: string;
  privateKey: string;
  regions: string[];
  /** Empty: the account's default project (ProjectId omitted from the request). */
  projectIds: string[];
  apiUrl: string;
}

export interface AliyunConfig {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string | null;
  /** SLB regions to scan; empty: SLB is not scanned. */
  slbRegions: string[];
  /** Whether CDN certificates are scanned (CDN is global: it needs no region). */
  scanCdn: boolean;
  cdnEndpoint: string;
  /** Overrides every region's SLB endpoint (for emulators); null: the regional endpoints. */
  slbEndpoint: string | null;
}

export interface AlertingConfig {
  /** The rungs a certificate alerts at (CERTWATCH_THRESHOLDS). */
  ladder: Ladder;
  /** A rules file (JSON or YAML) with per-certificate overrides; read by the entry point. */
  rulesFile: string | null;
  /** Where alert history lives: a DynamoDB table (Lambda) or a file (CLI). */
  stateTable: string | null;
  stateFile: string | null;
  reminderIntervalMs: number;
}

export interface Config {
  thresholds: StatusDays;
  alerting: AlertingConfig;
  snsTopicArn: string | null;
  /** The channels beside SNS: SES email and chat webhooks (lib/channels/channelConfig.ts). */
  channels: ChannelsConfig;
  requestTimeoutMs: number;
  /** CloudWatch namespace of the EMF metrics the Lambda writes (CERTWATCH_METRICS_NAMESPACE). */
  metricsNamespace: string;
  ucloud: UcloudConfig | null;
  aliyun: AliyunConfig | null;
}

export const DEFAULT_METRICS_NAMESPACE = 'Certwatch';

/** The keys certwatch reads, in the environment or in a config file. A file may hold no other key. */
export const CONFIG_KEYS = [
  'UCLOUD_PUBLIC_KEY',
  'UCLOUD_PRIVATE_KEY',
  'UCLOUD_REGIONS',
  'UCLOUD_PROJECT_IDS',
  'UCLOUD_API_URL',
  'CERTWATCH_WARNING_DAYS',
  'CERTWATCH_CRITICAL_DAYS',
  'CERTWATCH_SNS_TOPIC_ARN',
  'CERTWATCH_REQUEST_TIMEOUT_MS',
  'CERTWATCH_THRESHOLDS',
  'CERTWATCH_RULES_FILE',
  'CERTWATCH_STATE_TABLE',
  'CERTWATCH_STATE_FILE',
  'CERTWATCH_REMINDER_HOURS',
  'CERTWATCH_METRICS_NAMESPACE',
  'ALIBABA_CLOUD_ACCESS_KEY_ID',
  'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  'ALIBABA_CLOUD_SECURITY_TOKEN',
  'ALIBABA_CLOUD_SLB_REGIONS',
  'ALIBABA_CLOUD_SCAN_CDN',
  'ALIBABA_CLOUD_CDN_ENDPOINT',
  'ALIBABA_CLOUD_SLB_ENDPOINT',
  'CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS',
  ...CHANNEL_KEYS,
] as const;
type ConfigKey = (typeof CONFIG_KEYS)[number];

export const DEFAULT_UCLOUD_API_URL = 'https://api.ucloud.cn';

/**
 * Upper bounds of the numeric settings. A request timeout above 15 minutes (the longest a Lambda runs) is a typo,
 * and one above setTimeout's 2^31-1 ms would fire at once and time out every request; reminders at most every
 * ten years; thresholds as far out as a ladder rung may be.
 */
export const MAX_REQUEST_TIMEOUT_MS = 900_000;
export const MAX_REMINDER_HOURS = 87_600;
export const DEFAULT_CDN_ENDPOINT = 'https://cdn.aliyuncs.com';

type Source = Readonly<Record<string, string | undefined>>;

/**
 * Builds the configuration. The environment wins over the file (`file` is the parsed JSON of `--config`,
 * `fileName` names it in errors). Throws ConfigError listing every problem.
 */
export function loadConfig(env: Source, file?: unknown, fileName = 'config file'): Config {
  const problems: string[] = [];
  const values = mergeSources(env, file, fileName, problems);
  const get = (key: ConfigKey): string | undefined => {
    const value = values[key]?.trim();
    return value === '' ? undefined : value;
  };

  const warningDays = readPositiveInteger(
    get,
    'CERTWATCH_WARNING_DAYS',
    DEFAULT_STATUS_DAYS.warningDays,
    MAX_LADDER_DAYS,
    problems,
  );
  const criticalDays = readPositiveInteger(
    get,
    'CERTWATCH_CRITICAL_DAYS',
    DEFAULT_STATUS_DAYS.criticalDays,
    MAX_LADDER_DAYS,
    problems,
  );
  if (warningDays !== null && criticalDays !== null && criticalDays > warningDays) {
    problems.push(
      `CERTWATCH_CRITICAL_DAYS (${criticalDays}) is more than CERTWATCH_WARNING_DAYS (${warningDays}): ` +
        'critical is the nearer threshold, so it must be the smaller number',
    );
  }
  const requestTimeoutMs = readPositiveInteger(
    get,
    'CERTWATCH_REQUEST_TIMEOUT_MS',
    10_000,
    MAX_REQUEST_TIMEOUT_MS,
    problems,
  );
  const reminderHours = readPositiveInteger(
    get,
    'CERTWATCH_REMINDER_HOURS',
    24,
    MAX_REMINDER_HOURS,
    problems,
  );
  let ladder: Ladder | null = null;
  try {
    ladder = parseLadder(get('CERTWATCH_THRESHOLDS'));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  const stateTable = get('CERTWATCH_STATE_TABLE') ?? null;
  if (stateTable !== null && !/^[A-Za-z0-9_.-]{3,255}$/.test(stateTable)) {
    problems.push(
      `CERTWATCH_STATE_TABLE "${stateTable}" is not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)`,
    );
  }

  const snsTopicArn = get('CERTWATCH_SNS_TOPIC_ARN') ?? null;
  if (
    snsTopicArn !== null &&
    !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(snsTopicArn)
  ) {
    problems.push(
      `CERTWATCH_SNS_TOPIC_ARN "${snsTopicArn}" is not an SNS topic ARN ` +
        '(arn:aws:sns:REGION:ACCOUNT_ID:TOPIC_NAME); unset it to print alerts to the console instead',
    );
  }

  const metricsNamespace = get('CERTWATCH_METRICS_NAMESPACE') ?? DEFAULT_METRICS_NAMESPACE;
  if (!/^[A-Za-z0-9 .\-_/#:]{1,255}$/.test(metricsNamespace) || metricsNamespace.startsWith('AWS/')) {
    problems.push(
      `CERTWATCH_METRICS_NAMESPACE "${metricsNamespace}" is not a CloudWatch namespace you may write to ` +
        '(1-255 of A-Z a-z 0-9 space . - _ / # :, not starting with AWS/); e.g. certwatch/prod',
    );
  }

  const channels = readChannels(get, problems);
  const endpoints: EndpointRules = {
    allowPlainHttp: readBoolean(get, 'CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS', false, problems),
  };
  const ucloud = readUcloud(get, problems, endpoints);
  const aliyun = readAliyun(get, problems, endpoints);
  if (!ucloud && !aliyun && problems.length === 0) {
    problems.push(
      'no provider is configured: set UCLOUD_PUBLIC_KEY, UCLOUD_PRIVATE_KEY and UCLOUD_REGIONS, and/or ' +
        'ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET ' +
        '(or run `certwatch demo` to see certwatch work against its built-in emulator)',
    );
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    thresholds: { warningDays: warningDays!, criticalDays: criticalDays! },
    snsTopicArn,
    channels,
    requestTimeoutMs: requestTimeoutMs!,
    metricsNamespace,
    alerting: {
      ladder: ladder!,
      rulesFile: get('CERTWATCH_RULES_FILE') ?? null,
      stateTable,
      stateFile: get('CERTWATCH_STATE_FILE') ?? null,
      reminderIntervalMs: reminderHours! * 3_600_000,
    },
    ucloud,
    aliyun,
  };
}

function mergeSources(env: Source, file: unknown, fileName: string, problems: string[]): Source {
  if (file === undefined) return env;
  if (typeof file !== 'object' || file === null || Array.isArray(file)) {
    problems.push(
      `${fileName} must hold a JSON object whose keys are certwatch settings (${CONFIG_KEYS[0]}, ...)`,
    );
    return env;
  }
  const merged: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(file)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      const hint = closestKey(key);
      problems.push(
        `${fileName}: unknown key "${key}"${hint ? ` (did you mean ${hint}?)` : ''}; known keys: ${CONFIG_KEYS.join(', ')}`,
      );
      continue;
    }
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) merged[key] = value.join(',');
    else if (typeof value === 'string' || typeof value === 'number') merged[key] = String(value);
    else
      problems.push(
        `${fileName}: ${key} must be a string${key.endsWith('S') ? ' or a list of strings' : ''}`,
      );
  }
  for (const key of CONFIG_KEYS) {
    // A blank variable is unset (as `get` reads it): it must not hide the file's value.
    if (env[key] !== undefined && env[key].trim() !== '') merged[key] = env[key];
  }
  return merged;
}

/** Region names of both clouds: `cn-bj2`, `jpn-tky`, `cn-hangzhou`, `ap-southeast-1`. */
const REGION = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

export function isRegionName(text: string): boolean {
  return REGION.test(text);
}

/** How provider endpoint URLs are checked. */
interface EndpointRules {
  /** CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS: plain http:// to any host, not only to this machine. */
  allowPlainHttp: boolean;
}

function readUcloud(
  get: (key: ConfigKey) => string | undefined,
  problems: string[],
  endpoints: EndpointRules,
): UcloudConfig | null {
  const publicKey = get('UCLOUD_PUBLIC_KEY');
  const privateKey = get('UCLOUD_PRIVATE_KEY');
  const regionsText = get('UCLOUD_REGIONS');
  const projectsText = get('UCLOUD_PROJECT_IDS');
  if (!publicKey && !privateKey) {
    if (regionsText || projectsText) {
      problems.push(
        'UCLOUD_REGIONS is set but UCLOUD_PUBLIC_KEY and UCLOUD_PRIVATE_KEY are not: set both keys',
      );
    }
    return null;
  }
  if (!publicKey) problems.push('UCLOUD_PUBLIC_KEY is missing (UCLOUD_PRIVATE_KEY is set): set both');
  if (!privateKey) problems.push('UCLOUD_PRIVATE_KEY is missing (UCLOUD_PUBLIC_KEY is set): set both');
  const regions = readList(regionsText, 'UCLOUD_REGIONS', REGION, 'cn-bj2,cn-sh2,hk', problems);
  if (regionsText === undefined) {
    problems.push(
      'UCLOUD_REGIONS is missing: list the regions to scan, comma-separated (e.g. cn-bj2,cn-sh2)',
    );
  }
  const projectIds = readList(projectsText, 'UCLOUD_PROJECT_IDS', /^[A-Za-z0-9_-]+$/, 'org-abc123', problems);
  const apiUrl = readEndpoint(get, 'UCLOUD_API_URL', DEFAULT_UCLOUD_API_URL, problems, endpoints);
  if (!publicKey || !privateKey) return null;
  return { publicKey, privateKey, regions, projectIds, apiUrl };
}

function readAliyun(
  get: (key: ConfigKey) => string | undefined,
  problems: string[],
  endpoints: EndpointRules,
): AliyunConfig | null {
  const accessKeyId = get('ALIBABA_CLOUD_ACCESS_KEY_ID');
  const accessKeySecret = get('ALIBABA_CLOUD_ACCESS_KEY_SECRET');
  const regionsText = get('ALIBABA_CLOUD_SLB_REGIONS');
  if (!accessKeyId && !accessKeySecret) {
    if (regionsText) {
      problems.push(
        'ALIBABA_CLOUD_SLB_REGIONS is set but ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET are ' +
          'not: set both keys',
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
    'ALIBABA_CLOUD_CDN_ENDPOINT',
    DEFAULT_CDN_ENDPOINT,
    problems,
    endpoints,
  );
  const slbEndpoint = readEndpoint(get, 'ALIBABA_CLOUD_SLB_ENDPOINT', null, problems, endpoints);
  if (!scanCdn && slbRegions.length === 0 && regionsText === undefined) {
    problems.push(
      'ALIBABA_CLOUD_SCAN_CDN is false and ALIBABA_CLOUD_SLB_REGIONS is not set: nothing of Alibaba Cloud would be ' +
        'scanned; list SLB regions or scan CDN',
    );
  }
  if (!accessKeyId || !accessKeySecret) return null;
  return {
    accessKeyId,
    accessKeySecret,
    securityToken: get('ALIBABA_CLOUD_SECURITY_TOKEN') ?? null,
    slbRegions,
    scanCdn,
    cdnEndpoint: cdnEndpoint ?? DEFAULT_CDN_ENDPOINT,
    slbEndpoint,
  };
}

/**
 * Why plain http to a provider is refused, by the endpoint's key: what crosses in clear, and what a person on the
 * way can do with it.
 */
const PLAIN_HTTP_RISK: Partial<Record<ConfigKey, string>> = {
  // UCloud signs the sorted parameters and nothing else: no timestamp, no nonce
  // (https://docs.ucloud.cn/api/summary/signature), so a captured request is valid forever.
  UCLOUD_API_URL:
    'anyone on the way reads the public key and every certificate UCloud returns (private keys stored with them ' +
    "included), and can replay a captured request at will: UCloud's signature has no timestamp",
  // Alibaba's RPC signature covers a Timestamp and a one-time SignatureNonce: a request is good for 15 minutes
  // and once (https://www.alibabacloud.com/help/en/sdk/product-overview/rpc-mechanism).
  ALIBABA_CLOUD_CDN_ENDPOINT:
    'anyone on the way reads the AccessKey id, the STS token if one is set, and every certificate the API ' +
    'returns, and can alter the replies',
  ALIBABA_CLOUD_SLB_ENDPOINT:
    'anyone on the way reads the AccessKey id, the STS token if one is set, and every certificate the API ' +
    'returns (with certwatch upload, the private key too), and can alter the replies',
};

/**
 * A provider endpoint: an http(s) URL, https unless it is this machine (isLoopbackHost) or
 * CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS says plain http may go anywhere.
 */
function readEndpoint<T extends string | null>(
  get: (key: ConfigKey) => string | undefined,
  key: ConfigKey,
  fallback: T,
  problems: string[],
  rules: EndpointRules,
): string | T {
  const value = get(key);
  if (value === undefined) return fallback;
  let url: URL | null = null;
  try {
    url = /^https?:\/\/[^\s/]+/.test(value) ? new URL(value) : null;
  } catch {
    url = null;
  }
  if (url === null) {
    problems.push(`${key} "${value}" is not an http(s) URL${fallback ? ` (default ${fallback})` : ''}`);
    return fallback;
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url) && !rules.allowPlainHttp) {
    problems.push(
      `${key} "${value}" is plain http to a host other than this machine: ${PLAIN_HTTP_RISK[key]}. Use ` +
        'https://, or set CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS=true if the network between is yours alone ' +
        '(a proxy on a private link)',
    );
    return fallback;
  }
  return value.replace(/\/+$/, '');
}

/** A true/false setting (also 1/0, yes/no, any case); `fallback` when unset. */
function readBoolean(
  get: (key: ConfigKey) => string | undefined,
  key: ConfigKey,
  fallback: boolean,
  problems: string[],
): boolean {
  const text = get(key)?.toLowerCase();
  if (text === undefined) return fallback;
  if (['true', '1', 'yes'].includes(text)) return true;
  if (['false', '0', 'no'].includes(text)) return false;
  problems.push(`${key} "${text}" must be true or false`);
  return false;
}

function readList(
  text: string | undefined,
  key: ConfigKey,
  pattern: RegExp,
  example: string,
  problems: string[],
): string[] {
  if (text === undefined) return [];
  const items = text.split(',').map((item) => item.trim());
  const bad = items.filter((item) => !pattern.test(item));
  if (bad.length > 0) {
    const shown = bad.map((item) => (item === '' ? '(empty)' : `"${item}"`)).join(', ');
    problems.push(`${key} has malformed entries ${shown}: give a comma-separated list such as ${example}`);
  }
  return [...new Set(items.filter((item) => pattern.test(item)))];
}

function readPositiveInteger(
  get: (key: ConfigKey) => string | undefined,
  key: ConfigKey,
  fallback: number,
  max: number,
  problems: string[],
): number | null {
  const text = get(key);
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    problems.push(`${key} "${text}" must be a whole number of at least 1`);
    return null;
  }
  if (Number(text) > max) {
    problems.push(`${key} "${text}" is more than ${max}, the most it may be: check the units`);
    return null;
  }
  return Number(text);
}

/** A likely intended key for a typo, by edit distance. */
function closestKey(key: string): string | null {
  let best: string | null = null;
  let bestDistance = 4;
  for (const candidate of CONFIG_KEYS) {
    const distance = editDistance(key.toUpperCase(), candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}
