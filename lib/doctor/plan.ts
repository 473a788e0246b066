/**
 * Which checks a configuration calls for, in the order they are reported: each provider endpoint, then where
 * alerts go, then where alert history lives.
 */
import type { Config } from '../config';
import { aliyunClient, slbEndpointFor } from '../providers/aliyun/client';
import { type ProviderDeps, transportFrom } from '../providers/source';
import { UcloudClient } from '../providers/ucloud/client';
import { ucloudTargets } from '../providers/ucloud/source';
import type { SecretSetting } from '../secrets/ssm';
import { type DescribeTableClient, type SnsTopicClient, snsTopicCheck, stateTableCheck } from './awsChecks';
import { type Check, settledCheck } from './check';
import { cdnCheck, DOCTOR_RETRY, slbRegionCheck, ucloudTargetCheck } from './providerChecks';
import { type StateFileFs, stateFileCheck } from './stateFileCheck';

export type DoctorProvider = 'ucloud' | 'aliyun';

/** The provider whose key a secret setting holds. */
export function providerOfSetting(setting: SecretSetting): DoctorProvider {
  return setting.startsWith('UCLOUD_') ? 'ucloud' : 'aliyun';
}

export interface DoctorClients {
  /** I/O for the providers' own clients (fetch, sleep, random). */
  provider?: ProviderDeps;
  /** Called only when a topic is configured. */
  sns: () => SnsTopicClient;
  /** The region the SNS client uses (null: none): named when the topic is elsewhere. */
  snsRegion: () => Promise<string | null>;
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

export function planChecks(plan: DoctorPlan, clients: DoctorClients): Check[] {
  const { config } = plan;
  const deps = clients.provider ?? {};
  const transport = { ...transportFrom(deps), retry: DOCTOR_RETRY };
  const checks: Check[] = [];
  const unread = (provider: DoctorProvider) =>
    plan.unreadableSecrets.filter((setting) => providerOfSetting(setting) === provider);
  const skipped = (name: string, settings: readonly SecretSetting[]) =>
    settledCheck({
      status: 'skip',
      text: `${name}: not called, because ${settings.join(' and ')} could not be read from SSM (above)`,
    });

  if (config.ucloud) {
    const blocked = unread('ucloud');
    if (blocked.length > 0) checks.push(skipped('UCloud', blocked));
    else {
      const { publicKey, privateKey, apiUrl } = config.ucloud;
      const client = new UcloudClient({
        publicKey,
        privateKey,
        apiUrl,
        timeoutMs: config.requestTimeoutMs,
        ...transport,
      });
      for (const target of ucloudTargets(config.ucloud))
        checks.push(ucloudTargetCheck(client, target, apiUrl));
    }
  }

  const aliyun = config.aliyun;
  if (aliyun) {
    const blocked = unread('aliyun');
    const options = { requestTimeoutMs: config.requestTimeoutMs, retry: DOCTOR_RETRY };
    if (blocked.length > 0) checks.push(skipped('Alibaba Cloud', blocked));
    else {
      if (aliyun.scanCdn) {
        checks.push(cdnCheck(aliyunClient(aliyun, { product: 'CDN' }, options, deps), aliyun.cdnEndpoint));
      }
      for (const region of aliyun.slbRegions) {
        const client = aliyunClient(aliyun, { product: 'SLB', region }, options, deps);
        checks.push(slbRegionCheck(client, region, aliyun.slbEndpoint ?? slbEndpointFor(region)));
      }
    }
  }

  checks.push(
    config.channels.sns
      ? snsTopicCheck(clients.sns(), config.channels.sns.topicArn, clients.snsRegion)
      : settledCheck({
          status: 'info',
          text:
            'alerts: CERTWATCH_SNS_TOPIC_ARN is not set, so alerts would be printed to the console (to the ' +
            "function's log on Lambda); set it to send them to an SNS topic",
        }),
  );

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
