/**
 * `certwatch emulator` with a generated fleet: the flags come from each emulated provider's declaration
 * (emulator/fleet/generated.ts), and help, parsing and errors are derived from that one list.
 */
import { describe, expect, it } from 'vitest';
import { emulatorUsage } from '../../cli/emulator';
import { GENERATED_FLEETS } from '../../emulator/fleet/generated';
import { runCertwatch } from '../helpers/cli';

/** `certwatch emulator ARGS`, stopped as soon as it has printed how to reach it. */
const emulator = (args: string[]) =>
  runCertwatch(
    ['emulator', ...args],
    {},
    {},
    { clock: () => Date.UTC(2026, 11, 7, 12), untilStopped: async () => {} },
  );

describe('certwatch emulator with a generated fleet', () => {
  it("lists every provider's generated-fleet flags in help", async () => {
    const help = (await runCertwatch(['help'], {})).code;
    expect(help).toBe(0);
    const usage = emulatorUsage(110);
    for (const part of GENERATED_FLEETS) {
      for (const flag of part.flags) expect(usage).toContain(`[--${flag.name} ${flag.value}]`);
    }
    expect(usage.split('\n').every((line) => line.length <= 110)).toBe(true);
  });

  it('generates each provider from its own flags and points certwatch at it', async () => {
    const run = await emulator([
      '--count',
      '3',
      '--regions',
      'cn-bj2',
      '--cdn-count',
      '2',
      '--slb-count',
      '1',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/certwatch emulator: .*3 UCloud ULB/);
    expect(run.stdout).toMatch(/2 Alibaba CDN/);
    expect(run.stdout).toMatch(/1 Alibaba SLB/);
    expect(run.stdout).toMatch(/export UCLOUD_REGIONS=cn-bj2/);
  });

  it('names what is wrong: no count, a count beside --fleet, a bad value, a resource no account has', async () => {
    const counts = GENERATED_FLEETS.flatMap((part) => part.countFlags.map((name) => `--${name}`));
    expect((await emulator(['--seed', '4'])).stderr).toContain(
      `give ${counts.slice(0, -1).join(', ')} or ${counts.at(-1)} (how many certificates to generate)`,
    );
    expect((await emulator(['--fleet', 'fleet.json', '--count', '2'])).stderr).toContain(
      '--fleet cannot be combined with --count',
    );
    expect((await emulator(['--count', 'many'])).stderr).toContain(
      '--count "many" must be a whole number from 0 to 1000000',
    );
    expect((await emulator(['--accounts', '2', '--per-account', 'waf=3'])).stderr).toContain(
      '--per-account "waf=3": the resource must be one of cas, alb, nlb, cdn, cdnDomains, dcdnDomains, slb',
    );
    expect((await emulator(['--per-account', 'cas=3', '--count', '1'])).stderr).toContain(
      '--per-account and --account-regions need --accounts',
    );
    // Every provider's flags are read before any fleet is generated.
    expect((await emulator(['--count', '900000', '--cdn-count', 'x'])).stderr).toContain(
      '--cdn-count "x" must be a whole number from 0 to 1000000',
    );
  });

  it("has each flag once, none of them the command's own", () => {
    const own = ['port', 'fleet', 'latency-ms', 'throttle-rate', 'error-rate', 'rate-limits', 'rate-scale'];
    const names = ['seed', ...GENERATED_FLEETS.flatMap((part) => part.flags.map((flag) => flag.name))];
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((name) => own.includes(name))).toEqual([]);
  });
});
