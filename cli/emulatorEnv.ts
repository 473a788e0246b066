/** The configuration that points certwatch at a running emulator holding `fleet`: each provider says its part. */
import type { Fleet } from '../emulator/fleet/model';
import type { RunningEmulator } from '../emulator/server';
import { PROVIDER_MODULES } from '../lib/providers/registry';

export function emulatorEnv(
  fleet: Fleet,
  emulator: Pick<RunningEmulator, 'ucloudUrl' | 'cdnUrl' | 'slbUrl'>,
): Record<string, string> {
  // The emulator's base URLs by name (`ucloudUrl`, `cdnUrl`, ...), as the providers' emulator wiring reads them.
  const urls = Object.fromEntries(
    Object.entries(emulator).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  const parts = fleet as unknown as Readonly<Record<string, unknown>>;
  const env: Record<string, string> = {};
  for (const provider of PROVIDER_MODULES)
    Object.assign(env, provider.emulator.env(parts[provider.id], urls));
  for (const key of Object.keys(env)) if (env[key] === '') delete env[key];
  return env;
}

/** One fleet's size, in words: `300 UCloud, 100 CDN and 60 SLB certificates`. */
export function describeFleet(fleet: Fleet): string {
  const parts = [
    [fleet.ucloud?.certificates.length ?? 0, 'UCloud ULB'],
    [fleet.aliyun?.cdn?.certificates.length ?? 0, 'Alibaba CDN'],
    [fleet.aliyun?.slb?.certificates.length ?? 0, 'Alibaba SLB'],
  ]
    .filter(([count]) => Number(count) > 0)
    .map(([count, what]) => `${count} ${what}`);
  if (parts.length === 0) return 'no certificates';
  const last = parts.pop()!;
  return `${parts.length > 0 ? `${parts.join(', ')} and ` : ''}${last} certificates`;
}
