/**
 * What a provider declares about itself, in one object (lib/providers/<id>/provider.ts), registered by one line
 * in lib/providers/registry.ts. Configuration keys, SSM secret names, the doctor plan, the sharding plan, the CLI
 * help, the emulator wiring and the README's configuration table are derived from these objects.
 */
import type { Check } from '../checks/check';
import type { RetryPolicy } from '../http/retry';
import type { EndpointRules } from '../settings/readers';
import type { Setting, SettingGet } from '../settings/setting';
import type { Shard } from './shard';
import type { CertificateSource, ProviderDeps } from './source';
import type { TransportOptions } from './transport';

export interface ProviderModule<Id extends string = string, C = unknown, Scope = C> {
  /** The Config field (`config.ucloud`) and the `provider` of its records, failures and shards. */
  readonly id: Id;
  /** How people call it: `UCloud`, `Alibaba Cloud`. */
  readonly title: string;
  /** Every key `read` reads, secrets marked, in the order help and the README list them. */
  readonly settings: readonly Setting[];
  /** What to set for it to run at all (the "no provider is configured" message). */
  readonly enabledBy: readonly string[];
  /** Its configuration, or null when it is not configured; each mistake adds a problem naming its key. */
  read(get: SettingGet, problems: string[], endpoints: EndpointRules): C | null;
  /** The sources a scan of it reads. */
  sources(config: C, options: { requestTimeoutMs: number }, deps: ProviderDeps): CertificateSource[];
  readonly shards: ProviderShards<C, Scope>;
  readonly doctor: ProviderDoctor<C>;
  readonly emulator: EmulatorWiring;
}

/**
 * How a run is cut into shards of this provider, each small enough for one worker invocation. `Scope` is the part
 * of its configuration the planner knows (no key: the planner holds none).
 */
export interface ProviderShards<C, Scope> {
  /** `ucloud/ulb`: every service a shard of it may name. */
  readonly services: readonly string[];
  /** What of its configuration the planner keeps: regions and services, never a key. */
  scope(config: C): Scope;
  plan(scope: Scope, regionsPerShard: number): Shard[];
  /**
   * The configuration that scans exactly `shard` (one of its services), as cut by `plan` (every shard of its run:
   * what one shard leaves to others is decided by the plan, not by settings that may have changed since); null
   * when what it names (an account, a directory) is no longer configured.
   */
  narrow(config: C, shard: Shard, plan: readonly Shard[]): C | null;
}

export interface DoctorContext {
  requestTimeoutMs: number;
  /** The scan's transport with the doctor's short retries (`retry`). */
  transport: TransportOptions;
  retry: RetryPolicy;
  deps: ProviderDeps;
}

export interface ProviderDoctor<C> {
  /** One cheap call per endpoint and target, in the order they are reported. */
  checks(config: C, context: DoctorContext): Check[];
  /** What a scan of it covers, in words: `UCloud ULB in 2 regions × the default project`. */
  covers(config: C): string[];
}

/**
 * The settings that point the provider at a running emulator (lib/ never imports emulator/: `fleet` is this
 * provider's part of an emulated fleet and `stats` its part of the emulator's counters, each read through the
 * provider's own view of it, and `urls` the emulator's base URLs by name, `ucloudUrl`, `cdnUrl`, ...).
 */
export interface EmulatorWiring {
  env(fleet: unknown, urls: Readonly<Record<string, string>>): Record<string, string>;
  /** Its part of a fleet, counted per service in words (`300` `UCloud ULB`), as the emulator and demo say it. */
  certificates(fleet: unknown): { count: number; what: string }[];
  /** The requests the emulator served it, from its part of the emulator's stats (`stats.ucloud`). */
  requests(stats: unknown): number;
}
