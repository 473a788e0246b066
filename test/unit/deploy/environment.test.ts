/**
 * The functions are passed every non-secret setting a provider or channel declares (deploy/environment.cjs, which
 * serverless.yml uses as provider.environment; the provider settings through deploy/settings.json `passed`), so a
 * setting added to a module cannot be silently missing from the deployment. The secrets reach the functions as
 * `<KEY>_PARAMETER` names instead (deploy/settings.json, settingsJson.test.ts).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CHANNEL_SETTINGS } from '../../../lib/channels';
import { PROVIDERS } from '../../../lib/providers/registry';

const { environmentVariables } = createRequire(import.meta.url)('../../../deploy/environment.cjs') as {
  environmentVariables: () => [string, string][];
};
const template = readFileSync(new URL('../../../serverless.yml', import.meta.url), 'utf8');

describe('the functions’ environment', () => {
  const variables = new Map(environmentVariables());
  const declared = [...PROVIDERS.flatMap((provider) => provider.settings), ...CHANNEL_SETTINGS].filter(
    (setting) => !setting.secret,
  );

  it('is what serverless.yml gives every function', () => {
    expect(template).toMatch(/^ {2}environment: \$\{file\(\.\/deploy\/environment\.cjs\):environment\}$/m);
  });

  it.each(declared.map((setting) => [setting.key, setting.notDeployed]))(
    'passes %s, or the setting says why not',
    (key, notDeployed) => {
      if (notDeployed) expect(variables.has(key)).toBe(false);
      else expect(variables.has(key), `${key} is not passed: run npm run docs:config`).toBe(true);
    },
  );

  it('takes each provider setting from the deployer’s environment, empty when unset', () => {
    const providerKeys = PROVIDERS.flatMap((provider) => provider.settings)
      .filter((setting) => !setting.secret && !setting.notDeployed)
      .map((setting) => setting.key);
    expect(providerKeys.length).toBeGreaterThan(10);
    for (const key of providerKeys) expect(variables.get(key)).toBe(`env:${key}, ''`);
  });

  it('holds no secret setting itself (those are <KEY>_PARAMETER names)', () => {
    const secrets = [...PROVIDERS.flatMap((provider) => provider.settings), ...CHANNEL_SETTINGS]
      .filter((setting) => setting.secret)
      .map((setting) => setting.key);
    expect(secrets.filter((key) => variables.has(key))).toEqual([]);
    expect(secrets.length).toBeGreaterThan(0);
  });
});
