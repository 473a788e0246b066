/**
 * Secrets at runtime: in Lambda the environment holds only the names of SSM Parameter Store SecureStrings
 * (`UCLOUD_PRIVATE_KEY_PARAMETER=/certwatch/ucloud/private-key`); their values are read once, decrypted, at cold
 * start, and never written anywhere. The SDK directly rather than Powertools: one GetParameters call, nothing more
 * to bundle.
 */
import { GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { SECRET_CHANNEL_KEYS } from '../channels/index';
import { ConfigError } from '../errors';

/** The secret settings that may be given as a parameter name, each `<KEY>_PARAMETER`. */
export const SECRET_SETTINGS = [
  'UCLOUD_PUBLIC_KEY',
  'UCLOUD_PRIVATE_KEY',
  'ALIBABA_CLOUD_ACCESS_KEY_ID',
  'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  ...SECRET_CHANNEL_KEYS,
] as const;

/** SSM allows at most 10 names per GetParameters call. */
const BATCH = 10;

type Env = Readonly<Record<string, string | undefined>>;

export type SecretSetting = (typeof SECRET_SETTINGS)[number];

/** A `<KEY>_PARAMETER` setting: the key it stands for and the parameter it names. */
export interface SecretParameter {
  setting: SecretSetting;
  name: string;
}

/** The `<KEY>_PARAMETER` settings of `env` that name a parameter, in SECRET_SETTINGS order. */
export function secretParameters(env: Env): SecretParameter[] {
  return SECRET_SETTINGS.map((setting) => ({ setting, name: env[`${setting}_PARAMETER`]?.trim() })).filter(
    (entry): entry is SecretParameter => Boolean(entry.name),
  );
}

/** One parameter as read: its value and type, or why there is none. Never print `value`. */
export type SecretParameterReading = SecretParameter &
  (
    | { outcome: 'read'; value: string; type: string | undefined }
    | { outcome: 'missing' }
    | { outcome: 'unreadable'; error: unknown }
  );

/**
 * Reads and decrypts every parameter `env` names, reporting each one's outcome instead of stopping at the first
 * problem (for `certwatch doctor`). A call that fails marks every parameter it asked for unreadable.
 */
export async function readSecretParameters(
  env: Env,
  ssm: Pick<SSMClient, 'send'>,
): Promise<SecretParameterReading[]> {
  const wanted = secretParameters(env);
  const names = [...new Set(wanted.map((entry) => entry.name))];
  const found = new Map<string, { value: string; type: string | undefined }>();
  const failed = new Map<string, unknown>();
  for (let i = 0; i < names.length; i += BATCH) {
    const chunk = names.slice(i, i + BATCH);
    try {
      const reply = await readBatch(ssm, chunk);
      for (const parameter of reply.Parameters ?? []) {
        if (parameter.Name && parameter.Value !== undefined) {
          found.set(parameter.Name, { value: parameter.Value, type: parameter.Type });
        }
      }
    } catch (error) {
      for (const name of chunk) failed.set(name, error);
    }
  }
  return wanted.map((entry): SecretParameterReading => {
    const read = found.get(entry.name);
    if (read) return { ...entry, outcome: 'read', ...read };
    if (failed.has(entry.name)) return { ...entry, outcome: 'unreadable', error: failed.get(entry.name) };
    return { ...entry, outcome: 'missing' };
  });
}

/**
 * The environment with every `<KEY>_PARAMETER` replaced by `<KEY>` holding the parameter's decrypted value.
 * A parameter that is missing or cannot be read is a ConfigError naming the parameter and the setting; values
 * never appear in errors.
 */
export async function resolveSecretParameters(env: Env, ssm: Pick<SSMClient, 'send'>): Promise<Env> {
  const wanted = secretParameters(env).map(({ setting, name }) => ({ key: setting, name }));
  if (wanted.length === 0) return env;
  const values = new Map<string, string>();
  const names = [...new Set(wanted.map((entry) => entry.name))];
  for (let i = 0; i < names.length; i += BATCH) {
    const chunk = names.slice(i, i + BATCH);
    let reply: Awaited<ReturnType<typeof readBatch>>;
    try {
      reply = await readBatch(ssm, chunk);
    } catch (error) {
      const reason = error instanceof Error ? error.name : String(error);
      throw new ConfigError(
        [
          `cannot read SSM parameters ${chunk.join(', ')} (${reason}): check that they exist in this region and ` +
            "that the function's role may ssm:GetParameters on them and kms:Decrypt their key",
        ],
        { cause: error },
      );
    }
    for (const parameter of reply.Parameters ?? []) {
      if (parameter.Name && parameter.Value !== undefined) values.set(parameter.Name, parameter.Value);
    }
  }
  const problems = wanted
    .filter(({ name }) => !values.has(name))
    .map(
      ({ key, name }) =>
        `${key}_PARAMETER names SSM parameter ${name}, which does not exist: create it (SecureString)`,
    );
  if (problems.length > 0) throw new ConfigError(problems);
  const resolved: Record<string, string | undefined> = { ...env };
  for (const { key, name } of wanted) resolved[key] = values.get(name);
  return resolved;
}

function readBatch(ssm: Pick<SSMClient, 'send'>, names: string[]) {
  return ssm.send(new GetParametersCommand({ Names: names, WithDecryption: true }));
}
