/**
 * How `certwatch emulator` generates one provider's part of a fleet from its flags: each emulated provider
 * declares its flags and its generator (emulator/<provider>/generatedFleet.ts) and is listed once in
 * emulator/fleet/generated.ts, from which the command's options, its help and its errors are derived.
 */
import { UsageError } from '../../lib/errors';
import type { Fleet } from './model';

/** A flag of a generated fleet: `--count N`. */
export interface GeneratedFlag {
  /** Without the dashes: `count`. */
  name: string;
  /** What it takes, as usage shows it: `N`, `LIST`. */
  value: string;
}

/** The flags' values as given (undefined: not given). */
export type FlagValues = Readonly<Record<string, string | undefined>>;

export interface GeneratedFleetPart<P extends keyof Fleet = keyof Fleet> {
  /** The part of the fleet it generates (`fleet.ucloud`). */
  readonly provider: P;
  /** Its flags, in the order usage lists them. */
  readonly flags: readonly GeneratedFlag[];
  /** The flags that say how many certificates to generate: a generated fleet needs one of some part's. */
  readonly countFlags: readonly string[];
  /** What help says of its flags beyond their usage, a paragraph each. */
  readonly help?: readonly string[];
  /**
   * Reads its flags (a flag given wrongly is a UsageError naming it) and returns what generates its part of the
   * fleet, laid around `now` (today's UTC midnight, so it is cached and reused all day); undefined when none of its
   * count flags is given. Every part reads its flags before any generates: a mistake is told before minutes of work.
   */
  prepare(values: FlagValues, context: { seed: number; now: number }): (() => Fleet[P]) | undefined;
}

/** `--name N`: a whole number from `min` to `max`, or undefined when not given. */
export function integerFlag(
  name: string,
  text: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`--${name} "${text}" must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** `--name a,b`: region or project names, or undefined when not given. */
export function listFlag(name: string, text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const items = text.split(',').map((item) => item.trim());
  if (items.some((item) => !/^[a-z0-9-]+$/i.test(item))) {
    throw new UsageError(`--${name} "${text}" must be a comma-separated list such as cn-bj2,cn-sh2`);
  }
  return items;
}
