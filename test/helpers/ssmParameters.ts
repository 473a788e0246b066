/**
 * Where the README tells people to keep each secret, under the dev stage's default ssmPath (/certwatch/dev):
 * `/certwatch/dev/<provider or channel>/<the key without its owner's prefix>`, derived from the registries, so a
 * new secret setting has its parameter here without an edit (UCLOUD_PRIVATE_KEY: /certwatch/dev/ucloud/private-key,
 * ALIBABA_CLOUD_ACCESS_KEY_ID: /certwatch/dev/aliyun/access-key-id, CERTWATCH_SLACK_URL: /certwatch/dev/slack/url).
 */
import { CHANNELS } from '../../lib/channels';
import type { ChannelModule } from '../../lib/channels/module';
import { PROVIDER_MODULES } from '../../lib/providers/registry';
import { SECRET_SETTINGS, type SecretSetting } from '../../lib/secrets/ssm';
import type { Setting } from '../../lib/settings/setting';

/** Each secret's owner: the folder its parameter sits in, and the words its keys start with. */
const OWNERS = [
  ...PROVIDER_MODULES.map((provider) => ({
    id: provider.id,
    prefix: provider.title,
    settings: provider.settings,
  })),
  ...(CHANNELS as readonly ChannelModule[]).map((channel) => ({
    id: channel.name,
    prefix: channel.name,
    settings: channel.settings,
  })),
];

function parameterName(owner: { id: string; prefix: string }, setting: Setting): string {
  const prefix = `${owner.prefix.toUpperCase().replaceAll(' ', '_')}_`;
  const key = setting.key.replace(/^CERTWATCH_/, '');
  const rest = key.startsWith(prefix) ? key.slice(prefix.length) : key;
  return `/certwatch/dev/${owner.id}/${rest.toLowerCase().replaceAll('_', '-')}`;
}

export const DEV_PARAMETER_NAMES: Readonly<Record<SecretSetting, string>> = Object.fromEntries(
  OWNERS.flatMap((owner) =>
    owner.settings
      .filter((setting) => SECRET_SETTINGS.includes(setting.key))
      .map((setting) => [setting.key, parameterName(owner, setting)]),
  ),
);
