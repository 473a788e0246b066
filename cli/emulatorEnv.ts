/** The configuration that points certwatch at a running emulator holding `fleet`: each provider says its part. */
import type { Fleet } from '../emulator/fleet/model';
import type { RunningEmulator } from '../emulator/server';
import { PROVIDER_MODULES } from '../lib/providers/registry';

/** The emulator's base URLs, one per emulated API (`ucloudUrl`, `cdnUrl`, ...), as the providers' wiring reads them. */
export type EmulatorUrls = Pick<RunningEmulator, Extract<keyof RunningEmulator, `${string}Url`>>;

/** A fleet or the emulator's stats, by provider id, as each provider's wiring reads its part. */
function byProvider(parts: object): Readonly<Record<string, unknown>> {
  return parts as Readonly<Record<string, unknown>>;
}

export function emulatorEnv(fleet: Fleet, emulator: EmulatorUrls): Record<string, string> {
  // The emulator's base URLs by name (`ucloudUrl`, `cdnUrl`, ...), as the providers' emulator wiring reads them.
  const urls = Object.fromEntries(
    Object.entries(emulator).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  const parts = byProvider(fleet);
  const env: Record<string, string> = {};
  for (const provider of PROVIDER_MODULES)
    Object.assign(env, provider.emulator.env(parts[provider.id], urls));
  for (const key of Object.keys(env)) if (env[key] === '') delete env[key];
  return env;
}

/** One fleet's size, in words: `300 UCloud ULB, 100 Alibaba CDN and 60 Alibaba SLB certificates`. */
export function describeFleet(fleet: Fleet): string {
  const parts = byProvider(fleet);
  const counted = PROVIDER_MODULES.flatMap((provider) => provider.emulator.certificates(parts[provider.id]))
    .filter(({ count }) => count > 0)
    .map(({ count, what }) => `${count} ${what}`);
  if (counted.length === 0) return 'no certificates';
  const last = counted.pop()!;
  return `${counted.length > 0 ? `${counted.join(', ')} and ` : ''}${last} certificates`;
}

/** The API requests the emulator has served, over every provider. */
export function requestsServed(emulator: Pick<RunningEmulator, 'stats'>): number {
  const stats = byProvider(emulator.stats);
  return PROVIDER_MODULES.reduce((sum, provider) => sum + provider.emulator.requests(stats[provider.id]), 0);
}
