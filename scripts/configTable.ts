/**
 * Writes what is derived from the settings the core, the providers and the channels declare: `npm run
 * docs:config` rewrites the README's configuration tables and deploy/settings.json (the secret settings and each
 * provider's enabledBy, which osls reads through deploy/secretParameters.cjs); `--print` prints both instead.
 * test/unit/cli/settingsDoc.test.ts and test/unit/deploy/settingsJson.test.ts fail while either is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DEPLOY_SETTINGS_PATH, deploySettingsJson } from '../cli/deploySettings';
import { README_MARKERS, settingsMarkdown } from '../cli/settingsDoc';

const tables = settingsMarkdown();
const deploy = deploySettingsJson();
if (process.argv.includes('--print')) {
  process.stdout.write(`${tables}\n\n${deploy}`);
} else {
  const path = new URL('../README.md', import.meta.url);
  const readme = readFileSync(path, 'utf8');
  const begin = readme.indexOf(README_MARKERS.begin);
  const end = readme.indexOf(README_MARKERS.end);
  if (begin < 0 || end < begin)
    throw new Error(`README.md has no ${README_MARKERS.begin} ... ${README_MARKERS.end}`);
  const updated = `${readme.slice(0, begin + README_MARKERS.begin.length)}\n\n${tables}\n\n${readme.slice(end)}`;
  writeFileSync(path, updated);
  writeFileSync(new URL(`../${DEPLOY_SETTINGS_PATH}`, import.meta.url), deploy);
}
