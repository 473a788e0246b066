/**
 * Lambda entry point. A scheduled event scans and alerts (once per rung crossed, remembered in DynamoDB);
 * `{"mode": "audit"}` (a manual invoke) returns the full report and sends nothing. Configuration and clients are
 * built on the first invocation and reused by the following ones in the same container. Every run logs JSON lines
 * with its scan id and writes its metrics in the Embedded Metric Format (lib/telemetry).
 *
 * The AWS SDK clients (SSM, SNS, DynamoDB) are imported in prepare(), not at the top. Loading them is most of a
 * cold start (npm run bench:coldstart): this moves that time from module init into the first invocation, which
 * was going to build the clients anyway, and skips SNS and DynamoDB when no topic or table is configured. Keep
 * SDK value imports out of the modules imported at the top (`import type` is fine): one would load its client at
 * module init again.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { ConsoleSink } from '../lib/alerts/console';
import { parseRules } from '../lib/alerts/rules';
import type { AlertSink } from '../lib/alerts/sink';
import { loadConfig } from '../lib/config';
import type { ScanReport } from '../lib/model';
import { buildSources } from '../lib/providers';
import { newRequestCounters, type ProviderDeps } from '../lib/providers/source';
import { type RunSetup, runJob, type ScanResult } from '../lib/run';
import { MemoryStateStore } from '../lib/state/memory';
import type { AlertStateStore } from '../lib/state/store';
import { createJsonLogger, type Logger } from '../lib/telemetry/log';
import type { EmfDocument } from '../lib/telemetry/metrics';
import { emitToStdout, RunTelemetry } from '../lib/telemetry/run';
import { VERSION } from '../lib/version';

export type { ScanResult };

export interface HandlerDeps extends ProviderDeps {
  sink?: AlertSink;
  store?: AlertStateStore;
  clock?: () => number;
  /** Where secret parameters are read from (default: an SSMClient with the SDK's own settings). */
  ssm?: Pick<SSMClient, 'send'>;
  /** Structured log (default: JSON lines on stdout). */
  log?: Logger;
  /** Where EMF metric documents go (default: JSON lines on stdout, which CloudWatch Logs turns into metrics). */
  emitMetric?: (document: EmfDocument) => void;
}

/** The part of the Lambda context the handler reads. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
  awsRequestId?: string;
}

/** Time kept back from the function's timeout to send the alert after the scan stopped. */
export const ALERT_RESERVE_MS = 30_000;

export function createHandler(env: Readonly<Record<string, string | undefined>>, deps: HandlerDeps = {}) {
  const baseLog = deps.log ?? createJsonLogger({ fields: { service: 'certwatch', version: VERSION } });
  // Shared by every provider client of this container; each run reports what it added.
  const counters = deps.counters ?? newRequestCounters();
  let prepared: ReturnType<typeof prepare> | undefined;
  async function prepare(): Promise<RunSetup> {
    // Secrets come from SSM at cold start (the environment holds only their names), then stay in memory.
    const secrets = await import('../lib/secrets/ssm');
    const needsSsm = secrets.SECRET_SETTINGS.some((key) => env[`${key}_PARAMETER`]);
    const ssm = needsSsm ? (deps.ssm ?? (await ssmClient())) : undefined;
    const resolved = ssm ? await secrets.resolveSecretParameters(env, ssm) : env;
    const config = loadConfig(resolved);
    const { snsTopicArn } = config;
    const sink = deps.sink ?? (snsTopicArn ? await snsSink(snsTopicArn) : new ConsoleSink());
    const { stateTable, rulesFile } = config.alerting;
    // Without a table (invoke local, a bare deployment) history lives only as long as this container.
    const store = deps.store ?? (stateTable ? await dynamoStore(stateTable) : new MemoryStateStore());
    const rules = rulesFile ? await parseRules(readFileSync(rulesFile, 'utf8'), rulesFile) : null;
    return { config, sink, store, rules, sources: buildSources(config, { ...deps, counters }) };
  }
  return async function handler(
    event: unknown,
    context?: InvocationContext,
  ): Promise<ScanReport | ScanResult> {
    const mode = isAuditEvent(event) ? 'audit' : 'scheduled';
    const scanId = randomUUID();
    const log = baseLog.child({ scanId, requestId: context?.awsRequestId, mode });
    // A failed preparation (SSM unreachable, say) is tried again by the next invocation.
    prepared ??= prepare().catch((error: unknown) => {
      prepared = undefined;
      throw error;
    });
    const setup = await prepared.catch((error: unknown) => {
      log.error('run failed before scanning', { error });
      throw error;
    });
    const clock = deps.clock ?? Date.now;
    const { metricsNamespace: namespace } = setup.config;
    const emit = deps.emitMetric ?? emitToStdout;
    const telemetry = new RunTelemetry({ mode, scanId, log, counters, emit, namespace, clock });
    // Stop scanning in time to report: what was not read by then becomes a named failure in the alert.
    const remaining = context?.getRemainingTimeInMillis();
    const timeLimitMs = remaining === undefined ? undefined : Math.max(1000, remaining - ALERT_RESERVE_MS);
    // The request id survives Lambda's retries of this invocation: a retry takes back the claims a crash left.
    const owner = context?.awsRequestId;
    return runJob(setup, { mode, nowMs: clock(), clock, timeLimitMs, telemetry, owner });
  };
}

export const handler = createHandler(process.env);

async function ssmClient(): Promise<SSMClient> {
  const { SSMClient } = await import('@aws-sdk/client-ssm');
  return new SSMClient({});
}

async function snsSink(topicArn: string): Promise<AlertSink> {
  const { createSnsSink } = await import('../lib/alerts/sns');
  return createSnsSink(topicArn);
}

async function dynamoStore(tableName: string): Promise<AlertStateStore> {
  const [{ DynamoDBClient }, { DynamoStateStore }] = await Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('../lib/state/dynamodb'),
  ]);
  return new DynamoStateStore({ client: new DynamoDBClient({}), tableName });
}

function isAuditEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as { mode?: unknown }).mode === 'audit';
}
