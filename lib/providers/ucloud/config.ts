/** UCloud's settings and how they are read (part of loadConfig, lib/config.ts). */
import { type EndpointRules, REGION, readEndpoint, readList } from '../../settings/readers';
import type { Setting, SettingGet } from '../../settings/setting';

export interface UcloudConfig {
  publicKey: string;
  privateKey: string;
  regions: string[];
  /** Empty: the account's default project (ProjectId omitted from the request). */
  projectIds: string[];
  apiUrl: string;
}

export const DEFAULT_UCLOUD_API_URL = 'https://api.ucloud.cn';

export const UCLOUD_SETTINGS: readonly Setting[] = [
  {
    key: 'UCLOUD_PUBLIC_KEY',
    description: 'UCloud API public key (read-only ULB access is enough)',
    secret: true,
  },
  {
    key: 'UCLOUD_PRIVATE_KEY',
    description: 'UCloud API private key, the pair of the public key',
    secret: true,
  },
  {
    key: 'UCLOUD_REGIONS',
    description: 'regions to scan, comma-separated (`cn-bj2,cn-sh2,hk`)',
    default: 'required with the keys',
  },
  {
    key: 'UCLOUD_PROJECT_IDS',
    description: 'projects to scan, comma-separated (`org-abc123,...`); sub-accounts must name them',
    default: "the account's default project",
  },
  {
    key: 'UCLOUD_API_URL',
    description:
      'the UCloud API endpoint (`https://`; `http://` only to this machine, see `CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS`)',
    default: `\`${DEFAULT_UCLOUD_API_URL}\``,
  },
];

export function readUcloud(
  get: SettingGet,
  problems: string[],
  endpoints: EndpointRules,
): UcloudConfig | null {
  const publicKey = get('UCLOUD_PUBLIC_KEY');
  const privateKey = get('UCLOUD_PRIVATE_KEY');
  const regionsText = get('UCLOUD_REGIONS');
  const projectsText = get('UCLOUD_PROJECT_IDS');
  if (!publicKey && !privateKey) {
    if (regionsText || projectsText) {
      problems.push(
        'UCLOUD_REGIONS is set but UCLOUD_PUBLIC_KEY and UCLOUD_PRIVATE_KEY are not: set both keys',
      );
    }
    return null;
  }
  if (!publicKey) problems.push('UCLOUD_PUBLIC_KEY is missing (UCLOUD_PRIVATE_KEY is set): set both');
  if (!privateKey) problems.push('UCLOUD_PRIVATE_KEY is missing (UCLOUD_PUBLIC_KEY is set): set both');
  const regions = readList(regionsText, 'UCLOUD_REGIONS', REGION, 'cn-bj2,cn-sh2,hk', problems);
  if (regionsText === undefined) {
    problems.push(
      'UCLOUD_REGIONS is missing: list the regions to scan, comma-separated (e.g. cn-bj2,cn-sh2)',
    );
  }
  const projectIds = readList(projectsText, 'UCLOUD_PROJECT_IDS', /^[A-Za-z0-9_-]+$/, 'org-abc123', problems);
  const apiUrl = readEndpoint(
    get,
    {
      key: 'UCLOUD_API_URL',
      fallback: DEFAULT_UCLOUD_API_URL,
      // UCloud signs the sorted parameters and nothing else: no timestamp, no nonce
      // (https://docs.ucloud.cn/api/summary/signature), so a captured request is valid forever.
      plainHttpRisk:
        'anyone on the way reads the public key and every certificate UCloud returns (private keys stored with ' +
        "them included), and can replay a captured request at will: UCloud's signature has no timestamp",
    },
    problems,
    endpoints,
  );
  if (!publicKey || !privateKey) return null;
  return { publicKey, privateKey, regions, projectIds, apiUrl };
}
