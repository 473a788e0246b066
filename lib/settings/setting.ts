/**
 * One configuration key as the module that reads it declares it. Providers, channels and the core each declare
 * their own; the key list, the SSM secret names, `certwatch help` and the README's configuration table are derived
 * from these declarations, never written out by hand.
 */
export interface Setting {
  /** The environment variable (and config-file key): `UCLOUD_PRIVATE_KEY`. */
  readonly key: string;
  /** One line for `certwatch help` and the README table: what it sets, in the user's words. */
  readonly description: string;
  /** A secret: never echoed; in Lambda it may be given as `<KEY>_PARAMETER`, the name of an SSM SecureString. */
  readonly secret?: boolean;
  /** What applies when the key is unset, as a person reads it (`30`, `https://api.ucloud.cn`, `none: SLB not scanned`). */
  readonly default?: string;
  /**
   * Why a deployment does not pass this setting to the functions (serverless.yml passes every other non-secret
   * provider setting from the deployer's environment, deploy/environment.cjs); absent: it is passed.
   */
  readonly notDeployed?: string;
}

/** Reads one setting's trimmed value; undefined when unset or blank. */
export type SettingGet = (key: string) => string | undefined;
