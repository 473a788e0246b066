/**
 * Vitest global setup: gives the fuzz files a fresh folder for their counts, and after the run sums them into
 * test-output/fuzz-count.txt and prints it. Runs that include no fuzz file write and print nothing.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'certwatch-fuzz-count-'));
  project.provide('fuzzCountDir', dir);
  const started = Date.now();
  return () => {
    const totals: Record<string, number> = {};
    const files = readdirSync(dir);
    for (const file of files) {
      const counts = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, number>;
      for (const [target, runs] of Object.entries(counts)) totals[target] = (totals[target] ?? 0) + runs;
    }
    rmSync(dir, { recursive: true, force: true });
    if (files.length === 0) return;
    const total = Object.values(totals).reduce((sum, runs) => sum + runs, 0);
    const lines = [
      `fuzz inputs generated (FUZZ_SEED=${process.env.FUZZ_SEED ?? 'default'}):`,
      ...Object.entries(totals)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([target, runs]) => `  ${target.padEnd(8)} ${runs.toLocaleString('en-US').padStart(9)}`),
      `  ${'total'.padEnd(8)} ${total.toLocaleString('en-US').padStart(9)}`,
      `  (${files.length} fuzz files; whole test run ${((Date.now() - started) / 1000).toFixed(1)} s)`,
    ];
    mkdirSync('test-output', { recursive: true });
    writeFileSync('test-output/fuzz-count.txt', `${lines.join('\n')}\n`);
    process.stdout.write(`\n${lines.join('\n')}\n`);
  };
}
