import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { DEPLOY_SETTINGS_PATH, deploySettingsJson } from '../../../cli/deploySettings';
import { PROVIDERS } from '../../../lib/providers/registry';
import { SECRET_SETTINGS } from '../../../lib/secrets/ssm';
import { DEV_PARAMETER_NAMES } from '../../helpers/ssmParameters';

const { PARAMETER_KEYS, PROVIDER_KEYS } = createRequire(import.meta.url)(
  '../../../deploy/secretParameters.cjs',
) as { PARAMETER_KEYS: readonly string[]; PROVIDER_KEYS: Readonly<Record<string, readonly string[]>> };

describe('deploy/settings.json', () => {
  it('holds the registries as they are (npm run docs:config)', () => {
    const written = readFileSync(new URL(`../../../${DEPLOY_SETTINGS_PATH}`, import.meta.url), 'utf8');
    expect(written).toBe(deploySettingsJson());
  });

  it('gives the deployment a <KEY>_PARAMETER for every secret setting, in SECRET_SETTINGS order', () => {
    expect(PARAMETER_KEYS).toEqual(SECRET_SETTINGS.map((key) => `${key}_PARAMETER`));
  });

  it('counts a provider configured by the parameters of its secret enabledBy keys', () => {
    expect(Object.keys(PROVIDER_KEYS)).toEqual(PROVIDERS.map((provider) => provider.id));
    for (const provider of PROVIDERS) {
      const keys = provider.enabledBy.filter((key) => SECRET_SETTINGS.includes(key));
      expect(keys, provider.id).not.toEqual([]);
      expect(PROVIDER_KEYS[provider.id]).toEqual(keys.map((key) => `${key}_PARAMETER`));
    }
  });
});

describe('DEV_PARAMETER_NAMES', () => {
  it('names a parameter of its own under the dev stage’s path for every secret setting', () => {
    expect(Object.keys(DEV_PARAMETER_NAMES)).toEqual(SECRET_SETTINGS);
    const names = Object.values(DEV_PARAMETER_NAMES);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^\/certwatch\/dev\/[a-z0-9-]+\/[a-z0-9-]+$/);
  });
});
