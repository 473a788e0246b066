import { describe, expect, it } from 'vitest';
import { PROVIDER_MODULES } from '../../../lib/providers/registry';

describe('each provider module', () => {
  it.each(PROVIDER_MODULES.map((provider) => [provider.id, provider] as const))(
    '%s declares exactly the settings its reader reads',
    (_id, provider) => {
      const asked = new Set<string>();
      // Every setting set to something, so that no branch returns before reading the rest.
      const get = (key: string) => {
        asked.add(key);
        return /URL|ENDPOINT/.test(key) ? 'https://example.test' : /REGIONS/.test(key) ? 'cn-bj2' : 'x1';
      };
      const problems: string[] = [];
      provider.read(get, problems, { allowPlainHttp: false });
      expect([...asked].sort()).toEqual(provider.settings.map((setting) => setting.key).sort());
    },
  );

  it('names settings no other provider names, and says what turns it on', () => {
    const keys = PROVIDER_MODULES.flatMap((provider) => provider.settings.map((setting) => setting.key));
    expect(new Set(keys).size).toBe(keys.length);
    for (const provider of PROVIDER_MODULES) {
      const own = provider.settings.map((setting) => setting.key);
      expect(provider.enabledBy.length).toBeGreaterThan(0);
      for (const key of provider.enabledBy) expect(own).toContain(key);
    }
  });

  it('cuts shards only of services it declares, and its ids name it', () => {
    const ids = PROVIDER_MODULES.map((provider) => provider.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const provider of PROVIDER_MODULES) {
      for (const service of provider.shards.services)
        expect(service.startsWith(`${provider.id}/`)).toBe(true);
    }
  });
});
