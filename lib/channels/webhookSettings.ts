/**
 * Reading a chat webhook's settings: its URL (the robot's token is in it, so it is a secret) and, for the platforms
 * that sign, its signing secret. No problem message ever quotes either, only its key.
 */
import { isLoopbackHost } from '../plainHttp';
import type { SettingGet } from '../settings/setting';

export interface WebhookChannelConfig {
  url: string;
  /** The signing secret, for the platforms that sign (DingTalk, Feishu); null: unsigned. */
  secret: string | null;
}

/**
 * A platform's webhook URL, as the platform shows it: checked by shape (path and query), not host, so a proxy or
 * a local receiver can stand in. `example` is what the problem message shows.
 */
export interface WebhookUrlRules {
  title: string;
  urlKey: string;
  /** The signing secret's key; null for a platform that does not sign. */
  secretKey: string | null;
  shape: (url: URL) => boolean;
  example: string;
}

/** The URL and secret of one webhook channel, or null (with a problem per mistake) when unset or unusable. */
export function readWebhookSettings(
  get: SettingGet,
  problems: string[],
  rules: WebhookUrlRules,
): WebhookChannelConfig | null {
  const { title, urlKey, secretKey, shape, example } = rules;
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
