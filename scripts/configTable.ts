/**
 * Writes the README's configuration tables from the settings the core, the providers and the channels declare:
 * `npm run docs:config` rewrites them in README.md; `--print` prints them instead.
 * test/unit/cli/settingsDoc.test.ts fails while README.md disagrees.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { README_MARKERS, settingsMarkdown } from '../cli/settingsDoc';

const tables = settingsMarkdown();
if (process.argv.includes('--print')) {
  process.stdout.write(`${tables}\n`);
} else {
  const path = new URL('../README.md', import.meta.url);
  const readme = readFileSync(path, 'utf8');
  const begin = readme.indexOf(README_MARKERS.begin);
  const end = readme.indexOf(README_MARKERS.end);
  if (begin < 0 || end < begin)
    throw new Error(`README.md has no ${README_MARKERS.begin} ... ${README_MARKERS.end}`);
  const updated = `${readme.slice(0, begin + README_MARKERS.begin.length)}\n\n${tables}\n\n${readme.slice(end)}`;
  writeFileSync(path, updated);
}
