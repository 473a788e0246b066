/**
 * What a channel declares about itself, in one object: its name, its configuration keys, how it reads them and
 * how it builds its sink. lib/channels/index.ts registers every channel in one list; the key list, the secret
 * names, `--channel` and the sinks a run alerts are derived from it. The module itself stays light: a sink that
 * needs the AWS SDK imports it (and its own code) in `build`, so a function without that channel never loads it.
 */
import type { AlertSink } from '../alerts/sink';
import type { AwsClientConfig } from '../awsClientConfig';
import type { Setting, SettingGet } from '../settings/setting';
import type { WebhookSinkOptions } from './webhook';

/** What building a sink may take from its caller. */
export interface ChannelDeps {
  /** For the SNS and SES clients (tests point them at moto_server). */
  awsClientConfig?: AwsClientConfig;
  /** For the chat webhooks (tests pass a clock and a sleep); default: real sockets, Date.now, real waits. */
  webhookOptions?: WebhookSinkOptions;
}

export interface ChannelModule<Name extends string = string, Settings = unknown> {
  /** `--channel` NAME, and the `name` of the sink it builds. */
  readonly name: Name;
  /** Every key `read` asks for, in the order the README lists them. */
  readonly settings: readonly Setting[];
  /** What to set to turn it on, as `--channel NAME is not configured: set ...` says. */
  readonly enabledBy: string;
  /**
   * Its settings, or null when it is not configured or a setting is unusable; each mistake adds a problem that
   * names its key (never quoting a secret's value).
   */
  read(get: SettingGet, problems: string[]): Settings | null;
  /** Its sink, for the settings `read` returned. */
  build(settings: Settings, deps: ChannelDeps): Promise<AlertSink>;
}

/**
 * A channel module, its name and keys kept as literal types: ChannelsConfig is keyed by the names, and the secret
 * keys stay a union of their names (lib/secrets/ssm.ts).
 */
export function channelModule<const Name extends string, Settings, const Declared extends readonly Setting[]>(
  module: ChannelModule<Name, Settings> & { readonly settings: Declared },
): ChannelModule<Name, Settings> & { readonly settings: Declared } {
  return module;
}
