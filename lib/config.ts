/**
 * Configuration: a pure function of the environment and an optional file. Every problem is reported at once,
 * each naming its key; secret values are never echoed.
 */

import { DEFAULT_LADDER_TEXT, type Ladder, MAX_LADDER_DAYS, parseLadder } from './alerts/ladder';
import { CHANNEL_SETTINGS, type ChannelsConfig, readChannels } from './channels';
import { ConfigError } from './errors';
import { DEFAULT_STATUS_DAYS, type StatusDays } from './expiry/status';
import { PROVIDER_MODULES, type ProviderConfigs } from './providers/registry';
import {
  closestMatch,
  type EndpointRules,
  listInWords,
  REGION,
  readBoolean,
  readWholeNumber,
} from './settings/readers';
import type { Setting, SettingGet } from './settings/setting';

export const DEFAULT_METRICS_NAMESPACE = 'Certwatch';
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_REMINDER_HOURS = 24;

/** The settings of certwatch itself, beside those the providers and channels declare; defaults are the ones read. */
export const CORE_SETTINGS: readonly Setting[] = [
  {
    key: 'CERTWATCH_WARNING_DAYS',
    description: 'warning when at most this many whole days remain',
    default: String(DEFAULT_STATUS_DAYS.warningDays),
  },
  {
    key: 'CERTWATCH_CRITICAL_DAYS',
    description: 'critical when at most this many whole days remain',
    default: String(DEFAULT_STATUS_DAYS.criticalDays),
  },
  {
    key: 'CERTWATCH_REQUEST_TIMEOUT_MS',
    description: 'per-request timeout to a provider API',
    default: String(DEFAULT_REQUEST_TIMEOUT_MS),
  },
  {
    key: 'CERTWATCH_THRESHOLDS',
    description: 'the alert rungs, in days (and one optional `N%` of lifetime)',
    default: `\`${DEFAULT_LADDER_TEXT}\``,
  },
  {
    key: 'CERTWATCH_REMINDER_HOURS',
    description: 'how often an expired certificate still in use reminds',
    default: String(DEFAULT_REMINDER_HOURS),
  },
  {
    key: 'CERTWATCH_RULES_FILE',
    description: 'per-certificate alert rules, JSON or YAML (the Lambda function reads JSON only)',
  },
  {
    key: 'CERTWATCH_STATE_TABLE',
    description: 'DynamoDB table of alert history (set by `serverless.yml`)',
  },
  {
    key: 'CERTWATCH_STATE_FILE',
    description: 'alert history file for `certwatch scan`',
    default: '`.certwatch/alert-state.json`',
  },
  {
    key: 'CERTWATCH_METRICS_NAMESPACE',
    description: "CloudWatch namespace of the Lambda's EMF metrics (set by `serverless.yml`)",
    default: `\`${DEFAULT_METRICS_NAMESPACE}\``,
  },
  {
    key: 'CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS',
    description:
      '`true`: provider endpoints may be plain `http://` to any host, not only to this machine (a proxy on a private link)',
    default: '`false`',
  },
];

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

/** The settings and, one field per provider of lib/providers/registry.ts (`ucloud`, `aliyun`), its config. */
export interface Config extends ProviderConfigs {
  statusDays: StatusDays;
  alerting: AlertingConfig;
  /** Each alert channel's settings, keyed by its name (SNS's topic, SES email, the chat webhooks); null: not set. */
  channels: ChannelsConfig;
  requestTimeoutMs: number;
  /** CloudWatch namespace of the EMF metrics the Lambda writes (CERTWATCH_METRICS_NAMESPACE). */
  metricsNamespace: string;
}

/** Every setting a configuration may hold, by who declares it: certwatch itself, each provider, the channels. */
export const SETTING_GROUPS: readonly { title: string; settings: readonly Setting[] }[] = [
  { title: 'General', settings: CORE_SETTINGS },
  ...PROVIDER_MODULES.map((provider) => ({ title: provider.title, settings: provider.settings })),
  { title: 'Alert channels', settings: CHANNEL_SETTINGS },
];

/**
 * The keys certwatch reads, in the environment or in a config file. A file may hold no other key. The providers'
 * first (a file's message names the first as an example), then certwatch's own, then the channels'.
 */
export const CONFIG_KEYS: readonly string[] = [
  ...PROVIDER_MODULES.flatMap((provider) => provider.settings),
  ...CORE_SETTINGS,
  ...CHANNEL_SETTINGS,
].map((setting) => setting.key);

/**
 * Upper bounds of the numeric settings. A request timeout above 15 minutes (the longest a Lambda runs) is a typo,
 * and one above setTimeout's 2^31-1 ms would fire at once and time out every request; reminders at most every
 * ten years; thresholds as far out as a ladder rung may be.
 */
export const MAX_REQUEST_TIMEOUT_MS = 900_000;
export const MAX_REMINDER_HOURS = 87_600;

type Source = Readonly<Record<string, string | undefined>>;

/**
 * Builds the configuration. The environment wins over the file (`file` is the parsed JSON of `--config`,
 * `fileName` names it in errors). Throws ConfigError listing every problem.
 */
export function loadConfig(env: Source, file?: unknown, fileName = 'config file'): Config {
  const problems: string[] = [];
  const values = mergeSources(env, file, fileName, problems);
  const get: SettingGet = (key) => {
    const value = values[key]?.trim();
    return value === '' ? undefined : value;
  };

  const warningDays = readWholeNumber(
    get,
    'CERTWATCH_WARNING_DAYS',
    { fallback: DEFAULT_STATUS_DAYS.warningDays, max: MAX_LADDER_DAYS },
    problems,
  );
  const criticalDays = readWholeNumber(
    get,
    'CERTWATCH_CRITICAL_DAYS',
    { fallback: DEFAULT_STATUS_DAYS.criticalDays, max: MAX_LADDER_DAYS },
    problems,
  );
  if (warningDays !== null && criticalDays !== null && criticalDays > warningDays) {
    problems.push(
      `CERTWATCH_CRITICAL_DAYS (${criticalDays}) is more than CERTWATCH_WARNING_DAYS (${warningDays}): ` +
        'critical is the nearer threshold, so it must be the smaller number',
    );
  }
  const requestTimeoutMs = readWholeNumber(
    get,
    'CERTWATCH_REQUEST_TIMEOUT_MS',
    { fallback: DEFAULT_REQUEST_TIMEOUT_MS, max: MAX_REQUEST_TIMEOUT_MS },
    problems,
  );
  const reminderHours = readWholeNumber(
    get,
    'CERTWATCH_REMINDER_HOURS',
    { fallback: DEFAULT_REMINDER_HOURS, max: MAX_REMINDER_HOURS },
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
  const providers = Object.fromEntries(
    PROVIDER_MODULES.map((provider) => [provider.id, provider.read(get, problems, endpoints)]),
  ) as unknown as ProviderConfigs;
  if (Object.values(providers).every((config) => config === null) && problems.length === 0) {
    problems.push(
      `no provider is configured: set ${PROVIDER_MODULES.map((provider) => listInWords(provider.enabledBy)).join(', and/or ')} ` +
        '(or run `certwatch demo` to see certwatch work against its built-in emulator)',
    );
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    statusDays: { warningDays: warningDays!, criticalDays: criticalDays! },
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
    ...providers,
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
    if (!CONFIG_KEYS.includes(key)) {
      const hint = closestMatch(key.toUpperCase(), CONFIG_KEYS, { within: 4 });
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

export function isRegionName(text: string): boolean {
  return REGION.test(text);
}
