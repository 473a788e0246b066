/**
 * `certwatch emulator`: the cloud emulator standalone, until interrupted.
 */

import { demoFleet } from '../emulator/fleet/demo';
import { cachedUcloudFleet, readFleetFile } from '../emulator/fleet/file';
import type { Fleet } from '../emulator/fleet/model';
import { startEmulator } from '../emulator/server';
import { UsageError } from '../lib/errors';
import { type CliIo, write } from './io';
import { parse } from './options';

export async function runEmulatorCommand(args: string[], io: CliIo): Promise<number> {
  const options = parse(args, {
    port: { type: 'string' },
    fleet: { type: 'string' },
    count: { type: 'string' },
    seed: { type: 'string' },
    'latency-ms': { type: 'string' },
    'throttle-rate': { type: 'string' },
    'error-rate': { type: 'string' },
    regions: { type: 'string' },
    projects: { type: 'string' },
  });
  const port = integerOption('--port', options.port, 0, 65535) ?? 0;
  if ((options.regions || options.projects) && !options.count && !options.seed) {
    throw new UsageError(
      '--regions and --projects shape a generated fleet: give --count (and --seed) with them',
    );
  }
  const nowMs = io.clock();
  let fleet: Fleet;
  if (options.fleet) {
    if (options.count || options.seed)
      throw new UsageError('--fleet cannot be combined with --count or --seed');
    fleet = readFleetFile(options.fleet);
  } else if (options.count || options.seed) {
    const count = integerOption('--count', options.count, 0, 1_000_000) ?? 300;
    const seed = integerOption('--seed', options.seed, 0, 2 ** 31) ?? 1;
    const regions = listOption('--regions', options.regions) ?? ['cn-bj2', 'cn-sh2', 'hk'];
    const projects = listOption('--projects', options.projects) ?? ['org-demo1', 'org-demo2'];
    // Laid around today's UTC midnight, so a generated fleet is cached (.cache/fleets) and reused all day.
    const now = nowMs - (nowMs % 86_400_000);
    fleet = {
      ucloud: { certificates: cachedUcloudFleet({ count, seed, now, regions, projects }).certificates },
    };
  } else {
    fleet = demoFleet(nowMs);
  }
  const emulator = await startEmulator({
    fleet,
    port,
    ucloud: {
      latencyMs: integerOption('--latency-ms', options['latency-ms'], 0, 60_000) ?? 0,
      throttleRate: rateOption('--throttle-rate', options['throttle-rate']),
      errorRate: rateOption('--error-rate', options['error-rate']),
    },
  });
  const account = fleet.ucloud?.accounts?.[0] ?? {
    PublicKey: 'demo-public-key',
    PrivateKey: 'demo-private-key',
  };
  const certificates = fleet.ucloud?.certificates ?? [];
  const regions = [...new Set(certificates.map((c) => c.Region))].sort().join(',');
  const projects = [...new Set(certificates.map((c) => c.ProjectId))].sort().join(',');
  await write(
    io.stdout,
    `${emulator.url}\n` +
      `certwatch emulator: ${certificates.length} UCloud certificates; point certwatch at it with:\n` +
      `  export UCLOUD_API_URL=${emulator.ucloudUrl}\n` +
      `  export UCLOUD_PUBLIC_KEY=${account.PublicKey} UCLOUD_PRIVATE_KEY=${account.PrivateKey}\n` +
      `  export UCLOUD_REGIONS=${regions} UCLOUD_PROJECT_IDS=${projects}\n` +
      'Press Ctrl-C to stop.\n',
  );
  await io.untilStopped();
  await emulator.close();
  return 0;
}

function integerOption(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`${name} "${text}" must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function listOption(name: string, text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const items = text.split(',').map((item) => item.trim());
  if (items.some((item) => !/^[a-z0-9-]+$/i.test(item))) {
    throw new UsageError(`${name} "${text}" must be a comma-separated list such as cn-bj2,cn-sh2`);
  }
  return items;
}

function rateOption(name: string, text: string | undefined): number {
  if (text === undefined) return 0;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new UsageError(`${name} "${text}" must be a number from 0 to 1 (a share of requests)`);
  }
  return value;
}
