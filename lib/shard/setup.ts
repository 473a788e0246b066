/**
 * What the sharded worker and finisher (functions/shardWork.ts, shardFinish.ts) build once per container: what
 * every function builds (lib/setup.ts: configuration with its secrets, alert channels, history, rules), then the
 * run store. The planner's setup is lib/shard/planSetup.ts, which loads none of this. Each part can be handed in
 * instead, as tests do, and every AWS client built here takes `awsClientConfig` as lib/setup.ts's do.
 */
import type { ProviderDeps } from '../providers/source';
import { type AlertingDeps, prepareAlerting } from '../setup';
import { dynamoRunStore } from './dynamoRunStore';
import type { ShardQueue } from './queue';
import type { RunStore } from './runStore';
import { loadShardSettings } from './settings';
import type { WorkerSetup } from './worker';

export interface ShardDeps extends ProviderDeps, AlertingDeps {
  runs?: RunStore;
  queue?: ShardQueue;
}

/** The worker's and the finisher's setup. */
export async function prepareShardSetup(
  env: Readonly<Record<string, string | undefined>>,
  deps: ShardDeps,
): Promise<WorkerSetup> {
  const alerting = await prepareAlerting(env, deps);
  const settings = loadShardSettings(env, { needsQueue: false });
  const {
    sink: _sink,
    store: _store,
    runs,
    queue: _queue,
    ssm: _ssm,
    awsClientConfig: _aws,
    webhookOptions: _webhook,
    ...providerDeps
  } = deps;
  return {
    ...alerting,
    settings,
    runs: runs ?? dynamoRunStore(settings.runTable, deps.awsClientConfig),
    providerDeps,
  };
}
