/**
 * Secrets at runtime: in Lambda the environment holds only the names of SSM Parameter Store SecureStrings
 * (`UCLOUD_PRIVATE_KEY_PARAMETER=/certwatch/ucloud/private-key`); their values are read once, decrypted, at cold
 * start, and never written anywhere. The SDK directly rather than Powertools: one GetParameters call, nothing more
 * to bundle.
 */
import { GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ConfigError } from '../errors';

/** The secret settings that may be given as a parameter name, each `<KEY>_PARAMETER`. */
export const SECRET_SETTINGS = [
  'UCLOUD_PUBLIC_KEY',
  'UCLOUD_PRIVATE_KEY',
  'ALIBABA_CLOUD_ACCESS_KEY_ID',
  'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
] as const;

/** SSM allows at most 10 names per GetParameters call. */
const BATCH = 10;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The environment with every `<KEY>_PARAMETER` replaced by `<KEY>` holding the parameter's decrypted value.
 * A parameter that is missing or cannot be read is a ConfigError naming the parameter and the setting; values
 * never appear in errors.
 */
export async function resolveSecretParameters(env: Env, ssm: Pick<SSMClient, 'send'>): Promise<Env> {
  const wanted = SECRET_SETTINGS.map((key) => ({ key, name: env[`${key}_PARAMETER`]?.trim() })).filter(
    (entry): entry is { key: (typeof SECRET_SETTINGS)[number]; name: string } => Boolean(entry.name),
  );
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
