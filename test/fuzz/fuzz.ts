/**
 * Running the fuzz properties: each with an explicit number of runs, a fixed seed derived from its name (so CI
 * is reproducible) that `FUZZ_SEED` shifts, and a count of the inputs actually generated, which the global setup
 * (countSetup.ts) sums over every fuzz file and prints.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, inject } from 'vitest';

/** What a fuzz file generated, by target (dates, pem, mappers, config, scan). */
export type FuzzTarget = 'dates' | 'pem' | 'mappers' | 'config' | 'scan';

const generated = new Map<FuzzTarget, number>();

/** The base seed: `FUZZ_SEED` when set (an integer), else a fixed one. */
export function baseSeed(): number {
  const text = process.env.FUZZ_SEED;
  if (text === undefined || text.trim() === '') return 0x5eed;
  const seed = Number(text);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED "${text}" must be an integer`);
  return seed;
}

/** A property's own seed: the base seed mixed with its name (FNV-1a), so properties do not share a stream. */
export function seedFor(name: string): number {
  let hash = 0x811c9dc5;
  for (const char of name) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return (hash ^ baseSeed()) | 0;
}

/**
 * Checks a property over exactly `numRuns` generated inputs; counts them under `target`. On failure the error
 * names the property, the counterexample (shrunk) and the seed to replay it.
 */
export function fuzz<Ts>(
  target: FuzzTarget,
  name: string,
  property: fc.IProperty<Ts>,
  numRuns: number,
): void {
  const seed = seedFor(name);
  const details = fc.check(property, { numRuns, seed });
  record(target, details.numRuns + details.numSkips);
  if (details.failed) {
    throw new Error(`${name} (seed ${seed}, FUZZ_SEED=${baseSeed()}):\n${fc.defaultReportMessage(details)}`);
  }
}

/** As {@link fuzz}, for asynchronous properties. */
export async function fuzzAsync<Ts>(
  target: FuzzTarget,
  name: string,
  property: fc.IAsyncProperty<Ts>,
  numRuns: number,
): Promise<void> {
  const seed = seedFor(name);
  const details = await fc.check(property, { numRuns, seed });
  record(target, details.numRuns + details.numSkips);
  if (details.failed) {
    throw new Error(
      `${name} (seed ${seed}, FUZZ_SEED=${baseSeed()}):\n${await fc.asyncDefaultReportMessage(details)}`,
    );
  }
}

function record(target: FuzzTarget, runs: number): void {
  generated.set(target, (generated.get(target) ?? 0) + runs);
}

// Registered while the test file is collected (this module is imported then): the file's counts, for countSetup.
afterAll(() => {
  const dir = inject('fuzzCountDir');
  if (!dir || generated.size === 0) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`),
    JSON.stringify(Object.fromEntries(generated)),
  );
});

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where each fuzz file leaves its counts for the global teardown to sum; '' when not collecting. */
    fuzzCountDir: string;
  }
}
