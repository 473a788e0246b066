/**
 * The secrets of a deployment: the names (never the values) of the SSM SecureStrings holding provider keys, webhook
 * URLs and signing secrets, each `<KEY>_PARAMETER` from the deployer's environment, and the one path a stage's
 * parameters live under: `ssmPath`, by default `/certwatch/<stage>`, so no stage may read another's keys.
 *
 * - `environment`: the `<KEY>_PARAMETER` names, for the functions that read secrets (scan; the sharded worker and
 *   finisher). The sharded planner reads none: it gets neither the names nor `ssm:GetParameters`, only
 * - `providers`: which providers have keys (`ucloud,aliyun`), so it can plan their shards (CERTWATCH_SHARD_PROVIDERS);
 * - `resource`: the parameters a role may read, `arn:<partition>:ssm:<region>:<account>:parameter<ssmPath>/*`.
 *
 * Which keys are secrets, and which of them turn a provider on, come from the provider and channel registries
 * through deploy/settings.json (`npm run docs:config` writes it; plain Node cannot import lib/*.ts).
 *
 * Checked when osls packages, so a deploy cannot hand a function a parameter its role may not read: a name outside
 * ssmPath (as in the `/certwatch/ucloud/...` layout from before the path was per stage) fails, saying what to do.
 * osls calls the exported function with its variable resolver; `secretParameters` is the pure part, for tests.
 */
'use strict';

const SETTINGS = require('./settings.json');

/** Every `<KEY>_PARAMETER` a deployment may name, in the registries' order. */
const PARAMETER_KEYS = SETTINGS.secrets.map(({ key }) => `${key}_PARAMETER`);

/**
 * The key parameters that make a provider configured: those of its enabledBy settings that are secrets
 * (lib/config.ts: a provider runs when its keys are set).
 */
const PROVIDER_KEYS = Object.fromEntries(
  Object.entries(SETTINGS.providers).map(([provider, { enabledBy }]) => [
    provider,
    enabledBy
      .filter((key) => SETTINGS.secrets.some((secret) => secret.key === key))
      .map((key) => `${key}_PARAMETER`),
  ]),
);

/**
 * An SSM hierarchy: `/`-separated names of letters, digits, `.`, `-` and `_`, with no trailing `/` and no wildcard
 * (the role's resource appends `/*`). https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html
 */
const SSM_PATH = /^(\/[A-Za-z0-9_.-]+)+$/;

/** The secrets' environment, providers and readable resource for `ssmPath` and `names`; throws naming each problem. */
function secretParameters(params) {
  const ssmPath = String(params.ssmPath ?? '');
  if (!SSM_PATH.test(ssmPath)) {
    throw new Error(
      `ssmPath "${ssmPath}" must be an SSM path such as /certwatch/prod: names of letters, digits, . - _ ` +
        'each after a /, with no trailing / and no wildcard',
    );
  }
  const environment = {};
  const problems = [];
  for (const [key, value] of Object.entries(params.names ?? {})) {
    const name = String(value ?? '').trim();
    environment[key] = name;
    if (name !== '' && !name.startsWith(`${ssmPath}/`)) problems.push(outsidePath(key, name, ssmPath));
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const providers = Object.keys(PROVIDER_KEYS).filter((provider) =>
    PROVIDER_KEYS[provider].some((key) => environment[key]),
  );
  return {
    environment,
    providers: providers.join(','),
    resource: {
      'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${ssmPath}/*`,
    },
  };
}

/** What to do about a parameter outside ssmPath: move it under the path, or widen the path until then. */
function outsidePath(key, name, ssmPath) {
  const top = /^\/[^/]+/.exec(name)?.[0];
  const moved = `${ssmPath}${top ? name.slice(top.length) : `/${name}`}`;
  return (
    `${key} names ${name}, outside ssmPath ${ssmPath}: the functions may read only parameters under ` +
    `${ssmPath}/. Store it as ${moved} and name that (README "Moving the keys under the stage's path")` +
    (top && name.includes('/', 1)
      ? `; or, until you do, deploy with --param="ssmPath=${top}", which lets this stage read every parameter ` +
        `under ${top}.`
      : '.')
  );
}

/**
 * Each `<KEY>_PARAMETER` as the deployer's environment sets it, '' when unset, through osls's resolver (as
 * `${env:<KEY>_PARAMETER, ''}` in serverless.yml would).
 */
async function parameterNames(resolveVariable) {
  const names = {};
  for (const key of PARAMETER_KEYS) names[key] = await resolveVariable(`env:${key}, ''`);
  return names;
}

module.exports = async function resolve({ resolveVariable }) {
  return secretParameters({
    ssmPath: await resolveVariable('param:ssmPath'),
    names: await parameterNames(resolveVariable),
  });
};
module.exports.secretParameters = secretParameters;
module.exports.parameterNames = parameterNames;
module.exports.PARAMETER_KEYS = PARAMETER_KEYS;
module.exports.PROVIDER_KEYS = PROVIDER_KEYS;
