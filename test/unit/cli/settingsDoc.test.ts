import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HELP_WIDTH } from '../../../cli/helpText';
import {
  DOCUMENTED_SETTINGS,
  HELP_DESCRIPTION_COLUMN,
  helpLine,
  markdownRow,
  plainText,
  README_MARKERS,
  settingsMarkdown,
} from '../../../cli/settingsDoc';
import { CHANNEL_SETTINGS } from '../../../lib/channels';
import { CONFIG_KEYS, CORE_SETTINGS } from '../../../lib/config';
import { PROVIDERS } from '../../../lib/providers/registry';
import { SECRET_SETTINGS } from '../../../lib/secrets/ssm';
import { runCertwatch } from '../../helpers/cli';

const declared = DOCUMENTED_SETTINGS.flatMap((group) => group.settings);

describe('the documented settings', () => {
  it('are every key a configuration may hold, each declared once, with a description', () => {
    const keys = declared.map((setting) => setting.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of CONFIG_KEYS) expect(keys).toContain(key);
    for (const setting of declared) expect(setting.description.trim()).not.toBe('');
    expect(CONFIG_KEYS).toEqual(
      [...PROVIDERS.flatMap((provider) => provider.settings), ...CORE_SETTINGS, ...CHANNEL_SETTINGS].map(
        (setting) => setting.key,
      ),
    );
  });

  it('mark as secret exactly the settings SSM may hold', () => {
    expect(declared.filter((setting) => setting.secret).map((setting) => setting.key)).toEqual([
      ...SECRET_SETTINGS.filter((key) => !CHANNEL_SETTINGS.some((setting) => setting.key === key)),
      ...CHANNEL_SETTINGS.filter((setting) => setting.secret).map((setting) => setting.key),
    ]);
  });
});

describe('README.md', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const begin = readme.indexOf(README_MARKERS.begin);
  const end = readme.indexOf(README_MARKERS.end);
  const tables = readme.slice(begin + README_MARKERS.begin.length, end).trim();

  it('holds the configuration tables as the registry writes them (npm run docs:config)', () => {
    expect(begin).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(begin);
    expect(tables).toBe(settingsMarkdown());
  });

  it('has a row per setting: its key, marked when secret, and its description', () => {
    const rows = tables.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows).toHaveLength(declared.length);
    for (const setting of declared) expect(rows).toContain(markdownRow(setting));
    for (const row of rows) {
      const key = /^\| `([A-Z0-9_]+)`/.exec(row)![1]!;
      const setting = declared.find((candidate) => candidate.key === key)!;
      expect(row.includes('(secret)')).toBe(setting.secret === true);
    }
  });
});

describe('certwatch help', () => {
  it('lists every setting, grouped, secrets marked, with its description', async () => {
    const help = await runCertwatch(['help'], {});
    expect(help.code).toBe(0);
    for (const group of DOCUMENTED_SETTINGS) {
      expect(help.stdout).toContain(`  ${group.title}:\n${group.settings.map(helpLine).join('\n')}\n`);
    }
    const lines = help.stdout.split('\n');
    for (const setting of declared) {
      const at = lines.findIndex((candidate) =>
        new RegExp(`^ {4}${setting.key}(?: \\(secret\\))? +\\S`).test(candidate),
      );
      const line = lines[at];
      expect(line, setting.key).toBeDefined();
      expect(line!.includes(' (secret) ')).toBe(setting.secret === true);
      // The entry: its line and the continuation lines under the description's column, unwrapped.
      const continued = [];
      for (const next of lines.slice(at + 1)) {
        if (!next.startsWith(' '.repeat(HELP_DESCRIPTION_COLUMN))) break;
        continued.push(next.trim());
      }
      expect([line, ...continued].join(' ')).toContain(plainText(setting.description));
    }
  });

  it("fills each setting's lines up to the help's width, continuation lines under the description", () => {
    for (const setting of declared) {
      const [first, ...rest] = helpLine(setting).split('\n');
      expect(first!.slice(0, HELP_DESCRIPTION_COLUMN).trim()).toBe(
        `${setting.key}${setting.secret ? ' (secret)' : ''}`,
      );
      for (const line of [first!, ...rest]) expect(line.length, line).toBeLessThanOrEqual(HELP_WIDTH);
      for (const line of rest) expect(line).toMatch(new RegExp(`^ {${HELP_DESCRIPTION_COLUMN}}\\S`));
    }
    expect(declared.some((setting) => helpLine(setting).includes('\n'))).toBe(true);
  });
});
