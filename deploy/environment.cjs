/**
 * The functions' environment (serverless.yml `provider.environment`): certwatch's own settings, each with what
 * serverless.yml used to write beside it, then every non-secret provider setting the registries declare
 * (deploy/settings.json `passed`, written by `npm run docs:config`), each taken from the deployer's environment as
 * `${env:KEY, ''}` would: a provider added to lib/providers/registry.ts needs no line here or in serverless.yml.
 * The secrets' parameter names are not here but on the functions that read secrets (deploy/secretParameters.cjs).
 */
'use strict';

const SETTINGS = require('./settings.json');

/** certwatch's own settings, in the order they are written, and the osls variable each is resolved from. */
const OWN = [
  // `invoke local` runs outside CloudFormation, where a bare !Ref cannot be resolved: it takes the ARN from
  // LOCAL_TOPIC_ARN. Deployed, LOCAL_TOPIC_ARN is unset and the variable becomes { Ref: AlertTopic }.
  ['CERTWATCH_SNS_TOPIC_ARN', 'env:LOCAL_TOPIC_ARN, self:custom.topicRef'],
  // Empty means "use the default" to lib/config.ts, so an unset deploy variable is harmless.
  ['CERTWATCH_WARNING_DAYS', "env:CERTWATCH_WARNING_DAYS, ''"],
  ['CERTWATCH_CRITICAL_DAYS', "env:CERTWATCH_CRITICAL_DAYS, ''"],
  ['CERTWATCH_REQUEST_TIMEOUT_MS', "env:CERTWATCH_REQUEST_TIMEOUT_MS, ''"],
  ['CERTWATCH_THRESHOLDS', "env:CERTWATCH_THRESHOLDS, ''"],
  ['CERTWATCH_REMINDER_HOURS', "env:CERTWATCH_REMINDER_HOURS, ''"],
  // Alert history: one alert per rung crossed, kept across invocations. `invoke local` uses LOCAL_STATE_TABLE (or
  // none: history then lives in memory for that one run).
  ['CERTWATCH_STATE_TABLE', 'env:LOCAL_STATE_TABLE, self:custom.stateTableRef'],
  // EMF metrics (DaysToExpiry, per-run counts, the heartbeat the dead-man alarm watches), one namespace a stage.
  ['CERTWATCH_METRICS_NAMESPACE', 'self:custom.metricsNamespace'],
  // V8 would size its heap by the host's memory, not the function's: held to fit memorySize (deploy/memory.cjs).
  ['NODE_OPTIONS', 'file(./deploy/memory.cjs):nodeOptions'],
];

/** Written after the providers' settings. */
const OWN_LAST = [
  // Endpoints must be https unless they are the machine itself; only a deliberate setting lets plain http through.
  ['CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS', "env:CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS, ''"],
  // Alert channels beside SNS (README "Alert channels"). The email digest's sender and recipients:
  ['CERTWATCH_EMAIL_FROM', 'file(./deploy/email.cjs):from'],
  ['CERTWATCH_EMAIL_TO', 'file(./deploy/email.cjs):to'],
];

/** The osls variable of every key, in the order the environment is written. */
function environmentVariables() {
  return [...OWN, ...SETTINGS.passed.map((key) => [key, `env:${key}, ''`]), ...OWN_LAST];
}

module.exports = async function resolve({ resolveVariable }) {
  const environment = {};
  for (const [key, variable] of environmentVariables()) environment[key] = await resolveVariable(variable);
  return { environment };
};
module.exports.environmentVariables = environmentVariables;
