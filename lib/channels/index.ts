/**
 * Every alert channel certwatch can be configured with, one line each. The channels' configuration keys, their
 * secrets, their settings as read, the `--channel` names and the sinks a run alerts are all derived from this
 * list: a new channel is its file under lib/channels/ and one line here.
 */
import type { AlertSink } from '../alerts/sink';
import type { Setting, SettingGet } from '../settings/setting';
import { dingtalk } from './dingtalk';
import { email } from './email';
import { feishu } from './feishu';
import type { ChannelDeps, ChannelModule } from './module';
import { slack } from './slack';
import { sns } from './sns';
import { wecom } from './wecom';

/** In the order channels are built, reported and listed. */
export const CHANNELS = [sns, email, dingtalk, feishu, wecom, slack] as const;

type RegisteredChannel = (typeof CHANNELS)[number];
type SettingsOf<M> = M extends ChannelModule<string, infer Settings> ? Settings : never;

export type ChannelName = RegisteredChannel['name'];

/** Each channel's settings as read, keyed by its name; null where it is not configured. */
export type ChannelsConfig = { [M in RegisteredChannel as M['name']]: SettingsOf<M> | null };

/** The registry without the literal types, for code that treats every channel alike. */
const MODULES: readonly ChannelModule[] = CHANNELS;

/** The names `--channel` takes, in CHANNELS order. */
export const CHANNEL_NAMES: readonly ChannelName[] = CHANNELS.map((module) => module.name);

/** Every channel's configuration keys, in CHANNELS order. */
export const CHANNEL_SETTINGS: readonly Setting[] = MODULES.flatMap((module) => module.settings);

type DeclaredSetting = RegisteredChannel['settings'][number];
/** A channel's key that is a secret. */
export type SecretChannelKey = Extract<DeclaredSetting, { secret: true }>['key'];

/** The channel settings that are secrets: in Lambda, read from SSM (`<KEY>_PARAMETER`), never logged. */
export const SECRET_CHANNEL_KEYS = CHANNEL_SETTINGS.filter((setting) => setting.secret).map(
  (setting) => setting.key,
) as readonly SecretChannelKey[];

/** Whether `name` is a registered channel's. */
export function isChannelName(name: string): name is ChannelName {
  return (CHANNEL_NAMES as readonly string[]).includes(name);
}

/** The module registered under `name`. */
export function channelNamed(name: ChannelName): ChannelModule {
  return MODULES.find((module) => module.name === name)!;
}

/** Reads every channel's settings, adding a problem per mistake (never quoting a URL or secret). */
export function readChannels(get: SettingGet, problems: string[]): ChannelsConfig {
  return Object.fromEntries(
    MODULES.map((module) => [module.name, module.read(get, problems)]),
  ) as ChannelsConfig;
}

/** The channels `channels` configures, in CHANNELS order; none when it configures none. */
export function configuredChannels(channels: ChannelsConfig): ChannelName[] {
  return CHANNEL_NAMES.filter((name) => channels[name] !== null);
}

/** Each configured channel's module with its settings as read, in CHANNELS order. */
export function configuredChannelModules(
  channels: ChannelsConfig,
): { module: ChannelModule; settings: unknown }[] {
  return configuredChannels(channels).map((name) => ({
    module: channelNamed(name),
    settings: channels[name],
  }));
}

/**
 * The sinks of the configured channels among `only` (default: every configured one), in CHANNELS order whatever
 * the order of `only`; each channel imports what its sink needs (the AWS SDK, say) on first use.
 */
export async function buildChannelSinks(
  channels: ChannelsConfig,
  deps: ChannelDeps,
  only: readonly ChannelName[] = configuredChannels(channels),
): Promise<AlertSink[]> {
  const sinks: AlertSink[] = [];
  for (const module of MODULES) {
    const settings = (channels as Readonly<Record<string, unknown>>)[module.name];
    if (settings === null || !only.includes(module.name as ChannelName)) continue;
    sinks.push(await module.build(settings, deps));
  }
  return sinks;
}
