/**
 * Which checks a configuration calls for, in the order they are reported: each provider endpoint, then each
 * configured channel's own checks (or the console, when none is configured), then where alert history lives.
 */

import { configuredChannelModules } from '../channels/index';
import type { ChannelDoctorClients } from '../channels/module';
import { DOCTOR_RETRY } from '../checks/answer';
import { type Check, settledCheck } from '../checks/check';
import type { Config } from '../config';
import { configuredProviders, providerOfKey } from '../providers/registry';
import { type ProviderDeps, transportFrom } from '../providers/source';
import type { SecretSetting } from '../secrets/ssm';
import { type DescribeTableClient, stateTableCheck } from './awsChecks';
import { type StateFileFs, stateFileCheck } from './stateFileCheck';

/** The channels' clients (ChannelDoctorClients) are asked for only by a configured channel's checks. */
export interface DoctorClients extends ChannelDoctorClients {
  /** I/O for the providers' own clients (fetch, sleep, random). */
  provider?: ProviderDeps;
  /** Called only when a state table is configured. */
  dynamodb: () => DescribeTableClient;
  stateFs?: StateFileFs;
}

export interface DoctorPlan {
  config: Config;
  /** Secret settings whose SSM parameter could not be read: their provider is not called. */
  unreadableSecrets: readonly SecretSetting[];
  /** Where `certwatch scan` keeps alert history when CERTWATCH_STATE_FILE is not set. */
  defaultStateFile: string;
}

/** With no channel configured, alerts go to the console; SNS is the channel a deployment creates. */
const CONSOLE_NOTE = settledCheck({
  status: 'info',
  text:
    'alerts: CERTWATCH_SNS_TOPIC_ARN is not set, so alerts would be printed to the console (to the ' +
    "function's log on Lambda); set it to send them to an SNS topic",
});

export function planChecks(plan: DoctorPlan, clients: DoctorClients): Check[] {
  const { config } = plan;
  const deps = clients.provider ?? {};
  const transport = { ...transportFrom(deps), retry: DOCTOR_RETRY };
  const checks: Check[] = [];
  const skipped = (name: string, settings: readonly SecretSetting[]) =>
    settledCheck({
      status: 'skip',
      text: `${name}: not called, because ${settings.join(' and ')} could not be read from SSM (above)`,
    });

  for (const { provider, config: providerConfig } of configuredProviders(config)) {
    const blocked = plan.unreadableSecrets.filter((setting) => providerOfKey(setting) === provider);
    if (blocked.length > 0) checks.push(skipped(provider.title, blocked));
    else {
      const context = { requestTimeoutMs: config.requestTimeoutMs, transport, retry: DOCTOR_RETRY, deps };
      checks.push(...provider.doctor.checks(providerConfig, context));
    }
  }

  const channels = configuredChannelModules(config.channels);
  if (channels.length === 0) checks.push(CONSOLE_NOTE);
  for (const { module, settings } of channels)
    checks.push(...(module.doctor?.checks(settings, clients) ?? []));

  const { stateTable, stateFile } = config.alerting;
  if (stateTable) checks.push(stateTableCheck(clients.dynamodb(), stateTable));
  // A table is where the Lambda keeps history, a file where `certwatch scan` does: the file is checked when it
  // is named, or when there is no table (then the default file is the only history there is).
  if (stateFile || !stateTable) {
    checks.push(
      stateFileCheck(
        stateFile ?? plan.defaultStateFile,
        stateFile ? 'CERTWATCH_STATE_FILE' : 'the default; CERTWATCH_STATE_FILE moves it',
        clients.stateFs,
      ),
    );
  }
  return checks;
}
