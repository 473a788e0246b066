/** The configuration that points certwatch at a running emulator holding `fleet`. */
import type { Fleet } from '../emulator/fleet/model';
import type { RunningEmulator } from '../emulator/server';

export function emulatorEnv(
  fleet: Fleet,
  emulator: Pick<RunningEmulator, 'ucloudUrl' | 'cdnUrl' | 'slbUrl'>,
) {
  const env: Record<string, string> = {};
  const ucloud = fleet.ucloud?.certificates ?? [];
  if (ucloud.length > 0 || fleet.ucloud?.accounts?.length) {
    const account = fleet.ucloud?.accounts?.[0] ?? {
      PublicKey: 'demo-public-key',
      PrivateKey: 'demo-private-key',
    };
    env.UCLOUD_API_URL = emulator.ucloudUrl;
    env.UCLOUD_PUBLIC_KEY = account.PublicKey;
    env.UCLOUD_PRIVATE_KEY = account.PrivateKey;
    env.UCLOUD_REGIONS = [...new Set(ucloud.map((c) => c.Region))].sort().join(',') || 'cn-bj2';
    env.UCLOUD_PROJECT_IDS = [...new Set(ucloud.map((c) => c.ProjectId))].sort().join(',');
  }
  const aliyun = fleet.aliyun;
  if (aliyun) {
    const account = aliyun.accounts?.[0] ?? {
      AccessKeyId: 'demo-access-key-id',
      AccessKeySecret: 'demo-access-key-secret',
    };
    env.ALIBABA_CLOUD_ACCESS_KEY_ID = account.AccessKeyId;
    env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = account.AccessKeySecret;
    env.ALIBABA_CLOUD_CDN_ENDPOINT = emulator.cdnUrl;
    env.ALIBABA_CLOUD_SLB_ENDPOINT = emulator.slbUrl;
    env.ALIBABA_CLOUD_SCAN_CDN = aliyun.cdn ? 'true' : 'false';
    const regions = [...new Set((aliyun.slb?.certificates ?? []).map((c) => c.RegionId))].sort();
    if (regions.length > 0) env.ALIBABA_CLOUD_SLB_REGIONS = regions.join(',');
  }
  for (const key of Object.keys(env)) if (env[key] === '') delete env[key];
  return env;
}

/** One fleet's size, in words: `300 UCloud, 100 CDN and 60 SLB certificates`. */
export function describeFleet(fleet: Fleet): string {
  const parts = [
    [fleet.ucloud?.certificates.length ?? 0, 'UCloud ULB'],
    [fleet.aliyun?.cdn?.certificates.length ?? 0, 'Alibaba CDN'],
    [fleet.aliyun?.slb?.certificates.length ?? 0, 'Alibaba SLB'],
  ]
    .filter(([count]) => Number(count) > 0)
    .map(([count, what]) => `${count} ${what}`);
  if (parts.length === 0) return 'no certificates';
  const last = parts.pop()!;
  return `${parts.length > 0 ? `${parts.join(', ')} and ` : ''}${last} certificates`;
}
