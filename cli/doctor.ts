/**
 * `certwatch doctor`: checks the configuration, the SSM parameters holding provider keys, one cheap signed call per
 * provider endpoint, the configured channels (the SNS topic) and the alert history store, and says in plain words
 * what is wrong. Exit 0 when everything answered (warnings included), 3 when a check failed, 2 for a configuration
 * error. Never prints a secret: provider keys and parameter values go into requests only.
 */
import { parseRules } from '../lib/alerts/rules';
import { type CheckResult, runChecksInOrder } from '../lib/checks/check';
import { secretParameterResults } from '../lib/doctor/awsChecks';
import { planChecks } from '../lib/doctor/plan';
import { configurationResult, formatResult, summarize } from '../lib/doctor/report';
import { readSecretParameters, type SecretSetting, secretParameters } from '../lib/secrets/ssm';
import { AwsClients, resolvedRegion } from './awsClients';
import { type CliIo, write } from './io';
import { parse } from './options';
import { configFrom, DEFAULT_STATE_FILE, EXIT, readConfigFile } from './run';

export const DOCTOR_USAGE = 'certwatch doctor [--config FILE]';

/** Checks in flight at once (each is one request, or a few file system calls). */
const CONCURRENCY = 8;
const AWS_ATTEMPTS = 2;

/**
 * Stands in for a key held in SSM while the configuration is validated: its shape does not depend on the keys'
 * values, so a configuration error is reported before anything is called. Never sent anywhere.
 */
const FROM_SSM = '(held in SSM)';

export async function runDoctor(args: string[], io: CliIo): Promise<number> {
  const options = parse(args, { config: { type: 'string' } });
  const parameters = secretParameters(io.env);
  const standIns = Object.fromEntries(parameters.map(({ setting }) => [setting, FROM_SSM]));
  const withEnv = (env: Record<string, string | undefined>) => configFrom({ ...io, env }, options.config);
  const validated = await withEnv({ ...io.env, ...standIns });
  const { rulesFile } = validated.alerting;
  const rules = rulesFile
    ? (await parseRules(await readConfigFile(io, rulesFile, 'CERTWATCH_RULES_FILE'), rulesFile)).rules.length
    : null;

  const results: CheckResult[] = [];
  const print = async (result: CheckResult) => {
    results.push(result);
    await write(io.stdout, `${formatResult(result)}\n`);
  };
  await print(configurationResult(validated, options.config, rules));

  const aws = new AwsClients(io.env, { timeoutMs: validated.requestTimeoutMs, maxAttempts: AWS_ATTEMPTS });
  try {
    // The keys in SSM first: the provider checks sign with them, as the Lambda function would.
    let config = validated;
    let unreadable: SecretSetting[] = [];
    if (parameters.length > 0) {
      const readings = await readSecretParameters(io.env, aws.ssm());
      for (const result of secretParameterResults(readings, io.env, await resolvedRegion(aws.ssm()))) {
        await print(result);
      }
      const values = Object.fromEntries(
        readings.flatMap((reading) => (reading.outcome === 'read' ? [[reading.setting, reading.value]] : [])),
      );
      unreadable = readings.filter((reading) => reading.outcome !== 'read').map((reading) => reading.setting);
      config = await withEnv({ ...io.env, ...standIns, ...values });
    }
    const checks = planChecks(
      { config, unreadableSecrets: unreadable, defaultStateFile: DEFAULT_STATE_FILE },
      {
        sns: () => aws.sns(),
        snsRegion: () => resolvedRegion(aws.sns()),
        dynamodb: () => aws.dynamodb(),
      },
    );
    await runChecksInOrder(checks, CONCURRENCY, print);
  } finally {
    aws.destroy();
  }
  const summary = summarize(results);
  await write(io.stdout, `\n${summary.line}\n`);
  return summary.failed ? EXIT.incomplete : EXIT.complete;
}
