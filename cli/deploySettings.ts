/**
 * deploy/settings.json: what the deployment must know of the registries, for osls, which loads deploy/*.cjs with
 * plain Node and cannot import lib/: every secret setting (a deployer names its SSM parameter as `<KEY>_PARAMETER`)
 * with the provider or channel declaring it, the settings that turn each provider on, and the non-secret provider
 * settings the functions are passed. `npm run docs:config`
 * writes it (scripts/configTable.ts); test/unit/deploy/settingsJson.test.ts fails while it is stale.
 */
import { CHANNELS } from '../lib/channels';
import type { ChannelModule } from '../lib/channels/module';
import { PROVIDER_MODULES } from '../lib/providers/registry';

export interface DeploySettings {
  /** A note for whoever opens the file. */
  readonly '//': string;
  /** In SECRET_SETTINGS order (lib/secrets/ssm.ts): the providers' in registry order, then the channels'. */
  readonly secrets: readonly ({ key: string } & ({ provider: string } | { channel: string }))[];
  /** Each provider's `enabledBy`, by id, in registry order. */
  readonly providers: Readonly<Record<string, { enabledBy: readonly string[] }>>;
  /**
   * Every non-secret provider setting a deployment passes to the functions from the deployer's environment
   * (deploy/environment.cjs), in registry order: all but those that say why not (`notDeployed`).
   */
  readonly passed: readonly string[];
}

/** Where the file sits, from the repository's root. */
export const DEPLOY_SETTINGS_PATH = 'deploy/settings.json';

/** The registries' part the deployment needs. */
export function deploySettings(): DeploySettings {
  return {
    '//': 'Written by `npm run docs:config` from lib/providers/registry.ts and lib/channels/index.ts; do not edit.',
    secrets: [
      ...PROVIDER_MODULES.flatMap((provider) =>
        provider.settings
          .filter((setting) => setting.secret)
          .map(({ key }) => ({ key, provider: provider.id })),
      ),
      ...(CHANNELS as readonly ChannelModule[]).flatMap((channel) =>
        channel.settings
          .filter((setting) => setting.secret)
          .map(({ key }) => ({ key, channel: channel.name })),
      ),
    ],
    providers: Object.fromEntries(
      PROVIDER_MODULES.map((provider) => [provider.id, { enabledBy: provider.enabledBy }]),
    ),
    passed: PROVIDER_MODULES.flatMap((provider) =>
      provider.settings.filter((setting) => !setting.secret && !setting.notDeployed).map(({ key }) => key),
    ),
  };
}

/** deploy/settings.json's text, as `npm run docs:config` writes it. */
export function deploySettingsJson(): string {
  return `${JSON.stringify(deploySettings(), null, 2)}\n`;
}
