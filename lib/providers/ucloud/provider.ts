/** UCloud (ULB certificates through USSL's DescribeSSLV2), as one provider module. */

import type { ProviderModule } from '../module';
import { shardsByRegions } from '../shard';
import { UcloudClient } from './client';
import { readUcloud, UCLOUD_SETTINGS, type UcloudConfig } from './config';
import { ucloudTargetCheck } from './doctor';
import { ucloudSource, ucloudTargets } from './source';

/** The part of an emulated fleet this provider is pointed at (emulator/fleet/model.ts, read structurally). */
interface UcloudFleetView {
  certificates: readonly { Region: string; ProjectId: string }[];
  accounts?: readonly { PublicKey: string; PrivateKey: string }[];
}

export const ucloud: ProviderModule<'ucloud', UcloudConfig, { regions: readonly string[] }> = {
  id: 'ucloud',
  title: 'UCloud',
  settings: UCLOUD_SETTINGS,
  enabledBy: ['UCLOUD_PUBLIC_KEY', 'UCLOUD_PRIVATE_KEY', 'UCLOUD_REGIONS'],
  read: readUcloud,
  sources: (config, options, deps) => [ucloudSource(config, options, deps)],
  shards: {
    services: ['ucloud/ulb'],
    scope: ({ regions }) => ({ regions }),
    plan: (scope, regionsPerShard) => shardsByRegions('ucloud/ulb', scope.regions, regionsPerShard),
    narrow: (config, shard) => ({ ...config, regions: shard.regions }),
  },
  doctor: {
    checks(config, { requestTimeoutMs, transport }) {
      const { publicKey, privateKey, apiUrl } = config;
      const client = new UcloudClient({
        publicKey,
        privateKey,
        apiUrl,
        timeoutMs: requestTimeoutMs,
        ...transport,
      });
      return ucloudTargets(config).map((target) => ucloudTargetCheck(client, target, apiUrl));
    },
    covers({ regions, projectIds }) {
      const projects = projectIds.length > 0 ? count(projectIds.length, 'project') : 'the default project';
      return [`UCloud ULB in ${count(regions.length, 'region')} × ${projects}`];
    },
  },
  emulator: {
    env(fleet: UcloudFleetView | undefined, urls): Record<string, string> {
      const certificates = fleet?.certificates ?? [];
      if (certificates.length === 0 && !fleet?.accounts?.length) return {};
      const account = fleet?.accounts?.[0] ?? {
        PublicKey: 'demo-public-key',
        PrivateKey: 'demo-private-key',
      };
      return {
        UCLOUD_API_URL: urls.ucloudUrl ?? '',
        UCLOUD_PUBLIC_KEY: account.PublicKey,
        UCLOUD_PRIVATE_KEY: account.PrivateKey,
        UCLOUD_REGIONS: [...new Set(certificates.map((c) => c.Region))].sort().join(',') || 'cn-bj2',
        UCLOUD_PROJECT_IDS: [...new Set(certificates.map((c) => c.ProjectId))].sort().join(','),
      };
    },
    certificates: (fleet: UcloudFleetView | undefined) => [
      { count: fleet?.certificates.length ?? 0, what: 'UCloud ULB' },
    ],
    requests: (stats: { requests: number } | undefined) => stats?.requests ?? 0,
  },
};

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
