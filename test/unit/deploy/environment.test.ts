/**
 * serverless.yml passes the functions every non-secret setting a provider or channel declares (`KEY: ${env:KEY, ''}`
 * or a value computed for it), so a setting added to a module cannot be silently missing from the deployment. The
 * secrets reach the functions as `<KEY>_PARAMETER` names instead (deploy/settings.json, settingsJson.test.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHANNEL_SETTINGS } from '../../../lib/channels';
import { PROVIDERS } from '../../../lib/providers/registry';

/** Declared settings a deployment deliberately does not pass, and why. */
const NOT_DEPLOYED: Readonly<Record<string, string>> = {
  // Temporary STS credentials expire within hours: the function reads long-lived keys from SSM.
  ALIBABA_CLOUD_SECURITY_TOKEN: 'temporary credentials',
};

const template = readFileSync(new URL('../../../serverless.yml', import.meta.url), 'utf8');

/** The keys serverless.yml sets in an `environment:` map (indented `KEY: value` lines). */
function environmentKeys(yaml: string): Set<string> {
  return new Set([...yaml.matchAll(/^ {4,}([A-Z][A-Z0-9_]+):/gm)].map((match) => match[1]!));
}

describe('serverless.yml environment', () => {
  const keys = environmentKeys(template);
  const declared = [...PROVIDERS.flatMap((provider) => provider.settings), ...CHANNEL_SETTINGS].filter(
    (setting) => !setting.secret,
  );

  it.each(declared.map((setting) => [setting.key]))('passes %s, or says why not', (key) => {
    if (NOT_DEPLOYED[key]) expect(keys.has(key)).toBe(false);
    else expect(keys.has(key), `add ${key}: \${env:${key}, ''} to provider.environment`).toBe(true);
  });

  it('holds no secret setting itself (those are <KEY>_PARAMETER names)', () => {
    const secrets = [...PROVIDERS.flatMap((provider) => provider.settings), ...CHANNEL_SETTINGS]
      .filter((setting) => setting.secret)
      .map((setting) => setting.key);
    expect(secrets.filter((key) => keys.has(key))).toEqual([]);
    expect(secrets.length).toBeGreaterThan(0);
  });
});
