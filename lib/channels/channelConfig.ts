/**
 * The alert channels beside SNS, as configured: SES email and the chat webhooks. Part of loadConfig (config.ts),
 * kept here because it is one concern: which channels, and are their settings usable. A webhook URL carries the
 * robot's token and a signing secret is a secret: no problem message ever quotes either, only its key.
 */

import { isLoopbackHost } from '../plainHttp';

export interface EmailChannelConfig {
  /** The sender: an address (or `Name <address>`) whose identity is verified in SES. */
  from: string;
  to: string[];
}

export interface WebhookChannelConfig {
  url: string;
  /** The signing secret, for the platforms that sign (DingTalk, Feishu); null: unsigned. */
  secret: string | null;
}

export interface ChannelsConfig {
  email: EmailChannelConfig | null;
  dingtalk: WebhookChannelConfig | null;
  feishu: WebhookChannelConfig | null;
  wecom: WebhookChannelConfig | null;
  slack: WebhookChannelConfig | null;
}

/** The configuration keys of the channels, in the order the README lists them. */
export const CHANNEL_KEYS = [
  'CERTWATCH_EMAIL_FROM',
  'CERTWATCH_EMAIL_TO',
  'CERTWATCH_DINGTALK_URL',
  'CERTWATCH_DINGTALK_SECRET',
  'CERTWATCH_FEISHU_URL',
  'CERTWATCH_FEISHU_SECRET',
  'CERTWATCH_WECOM_URL',
  'CERTWATCH_SLACK_URL',
] as const;

/** The channel settings that are secrets: in Lambda, read from SSM (`<KEY>_PARAMETER`), never logged. */
export const SECRET_CHANNEL_KEYS = [
  'CERTWATCH_DINGTALK_URL',
  'CERTWATCH_DINGTALK_SECRET',
  'CERTWATCH_FEISHU_URL',
  'CERTWATCH_FEISHU_SECRET',
  'CERTWATCH_WECOM_URL',
  'CERTWATCH_SLACK_URL',
] as const;

type ChannelKey = (typeof CHANNEL_KEYS)[number];
type Get = (key: ChannelKey) => string | undefined;

/**
 * Each platform's webhook URL, as the platform shows it: checked by shape (path and query), not host, so a
 * proxy or a local receiver can stand in. `example` is what the problem message shows.
 */
const WEBHOOKS = {
  dingtalk: {
    title: 'DingTalk',
    urlKey: 'CERTWATCH_DINGTALK_URL',
    secretKey: 'CERTWATCH_DINGTALK_SECRET',
    shape: (url: URL) => url.pathname === '/robot/send' && Boolean(url.searchParams.get('access_token')),
    example: 'https://oapi.dingtalk.com/robot/send?access_token=...',
  },
  feishu: {
    title: 'Feishu/Lark',
    urlKey: 'CERTWATCH_FEISHU_URL',
    secretKey: 'CERTWATCH_FEISHU_SECRET',
    shape: (url: URL) => /^\/open-apis\/bot\/v2\/hook\/[^/]+$/.test(url.pathname),
    example: 'https://open.feishu.cn/open-apis/bot/v2/hook/... (or open.larksuite.com)',
  },
  wecom: {
    title: 'WeCom',
    urlKey: 'CERTWATCH_WECOM_URL',
    secretKey: null,
    shape: (url: URL) => url.pathname === '/cgi-bin/webhook/send' && Boolean(url.searchParams.get('key')),
    example: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...',
  },
  slack: {
    title: 'Slack',
    urlKey: 'CERTWATCH_SLACK_URL',
    secretKey: null,
    shape: (url: URL) => /^\/services\/[^/]+\/[^/]+\/[^/]+$/.test(url.pathname),
    example: 'https://hooks.slack.com/services/T.../B.../...',
  },
} as const;

/** Reads every channel's settings, adding a problem per mistake (never quoting a URL or secret). */
export function readChannels(get: Get, problems: string[]): ChannelsConfig {
  return {
    email: readEmail(get, problems),
    dingtalk: readWebhook(get, 'dingtalk', problems),
    feishu: readWebhook(get, 'feishu', problems),
    wecom: readWebhook(get, 'wecom', problems),
    slack: readWebhook(get, 'slack', problems),
  };
}

/** `a@example.com`: one address, no spaces, commas or angle brackets. Deliberately loose: SES has the last word. */
const ADDRESS = /^[^\s@<>,"]+@[^\s@<>,"]+\.[^\s@<>,"]+$/;
/** `certwatch <a@example.com>`: a display name, then the address. */
const NAMED_ADDRESS = /^[^<>@,]*<([^<>]+)>$/;

function readEmail(get: Get, problems: string[]): EmailChannelConfig | null {
  const from = get('CERTWATCH_EMAIL_FROM');
  const toText = get('CERTWATCH_EMAIL_TO');
  if (from === undefined && toText === undefined) return null;
  if (from === undefined) {
    problems.push(
      'CERTWATCH_EMAIL_TO is set but CERTWATCH_EMAIL_FROM is not: set the sender, an address (or domain) ' +
        'verified in SES, e.g. certwatch@example.com',
    );
  } else if (!ADDRESS.test(NAMED_ADDRESS.exec(from)?.[1] ?? from)) {
    problems.push(
      `CERTWATCH_EMAIL_FROM "${from}" is not an email address: give one such as certwatch@example.com or ` +
        '"certwatch <certwatch@example.com>"',
    );
  }
  if (toText === undefined) {
    problems.push(
      'CERTWATCH_EMAIL_FROM is set but CERTWATCH_EMAIL_TO is not: list the recipients, comma-separated',
    );
    return null;
  }
  const to = toText.split(',').map((item) => item.trim());
  const bad = to.filter((address) => !ADDRESS.test(address));
  if (bad.length > 0) {
    const shown = bad.map((item) => (item === '' ? '(empty)' : `"${item}"`)).join(', ');
    problems.push(
      `CERTWATCH_EMAIL_TO has entries that are not email addresses: ${shown}; give a comma-separated list such ` +
        'as ops@example.com,oncall@example.com',
    );
  }
  if (from === undefined || bad.length > 0) return null;
  return { from, to: [...new Set(to)] };
}

function readWebhook(
  get: Get,
  platform: keyof typeof WEBHOOKS,
  problems: string[],
): WebhookChannelConfig | null {
  const { title, urlKey, secretKey, shape, example } = WEBHOOKS[platform];
  const text = get(urlKey);
  const secret = secretKey === null ? null : (get(secretKey) ?? null);
  if (text === undefined) {
    if (secret !== null)
      problems.push(`${secretKey} is set but ${urlKey} is not: set the ${title} webhook URL too`);
    return null;
  }
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    problems.push(
      `${urlKey} is not a URL (its value is a secret and not shown): give the webhook URL ${title} shows, ${example}`,
    );
    return null;
  }
  // Plain http only to this machine (a local receiver, a test): anywhere else the token would cross in clear.
  // CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS does not reach here: a webhook's URL is its credential.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url))) {
    problems.push(`${urlKey} must be an https:// URL (its value is a secret and not shown): ${example}`);
    return null;
  }
  if (!shape(url)) {
    problems.push(
      `${urlKey} does not look like a ${title} webhook URL (its value is a secret and not shown): expected ${example}`,
    );
    return null;
  }
  return { url: text, secret };
}
