/**
 * What a channel declares about itself, in one object: its name, its configuration keys, how it reads them, how
 * it builds its sink and what `certwatch doctor` checks of it. lib/channels/index.ts registers every channel in one
 * list; the key list, the secret names, `--channel`, the sinks a run alerts and the doctor plan are derived from it. The module itself stays light: a sink that
 * needs the AWS SDK imports it (and its own code) in `build`, so a function without that channel never loads it.
 */
import type { AlertSink } from '../alerts/sink';
import type { AwsClientConfig } from '../awsClientConfig';
import type { Check } from '../checks/check';
import type { Setting, SettingGet } from '../settings/setting';
import type { SnsTopicClient } from './snsDoctor';
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
  /** What `certwatch doctor` checks when it is configured; none: doctor has nothing to call for it. */
  readonly doctor?: ChannelDoctor<Settings>;
}

/**
 * The clients `certwatch doctor` lends the channels' checks (SDK clients, or fakes in tests), each built when
 * asked for, so a check asks only for what it calls.
 */
export interface ChannelDoctorClients {
  sns: () => SnsTopicClient;
  /** The region the SNS client uses (null: none): named when the topic is elsewhere. */
  snsRegion: () => Promise<string | null>;
}

export interface ChannelDoctor<Settings> {
  /** Its checks, in the order they are reported (after the providers', before the alert history's). */
  checks(settings: Settings, clients: ChannelDoctorClients): Check[];
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
