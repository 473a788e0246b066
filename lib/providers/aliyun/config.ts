/** Alibaba Cloud's settings and how they are read (part of loadConfig, lib/config.ts). */
import { type EndpointRules, REGION, readBoolean, readEndpoint, readList } from '../../settings/readers';
import type { Setting, SettingGet } from '../../settings/setting';

export interface AliyunConfig {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string | null;
  /** SLB regions to scan; empty: SLB is not scanned. */
  slbRegions: string[];
  /** Whether CDN certificates are scanned (CDN is global: it needs no region). */
  scanCdn: boolean;
  cdnEndpoint: string;
  /** Overrides every region's SLB endpoint (for emulators); null: the regional endpoints. */
  slbEndpoint: string | null;
  /** Whether the Certificate Management Service (CAS) inventory is scanned (CAS is global: no region). */
  scanCas: boolean;
  casEndpoint: string;
}

export const DEFAULT_CDN_ENDPOINT = 'https://cdn.aliyuncs.com';
/** The China site's CAS endpoint; every cn-* region maps to it (reference §2). */
export const DEFAULT_CAS_ENDPOINT = 'https://cas.aliyuncs.com';

export const ALIYUN_SETTINGS: readonly Setting[] = [
  {
    key: 'ALIBABA_CLOUD_ACCESS_KEY_ID',
    description:
      'Alibaba Cloud AccessKey id (read access to CDN, SLB and CAS; `slb:UploadServerCertificate` for `upload`)',
    secret: true,
  },
  {
    key: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
    description: 'Alibaba Cloud AccessKey secret, the pair of the id',
    secret: true,
  },
  { key: 'ALIBABA_CLOUD_SECURITY_TOKEN', description: 'STS token, when the key pair is temporary' },
  {
    key: 'ALIBABA_CLOUD_SLB_REGIONS',
    description: 'SLB regions to scan, comma-separated (`cn-hangzhou,cn-shanghai`)',
    default: 'none: SLB not scanned',
  },
  {
    key: 'ALIBABA_CLOUD_SCAN_CDN',
    description: 'scan CDN certificates (CDN is global: no region)',
    default: '`true` with the keys',
  },
  {
    key: 'ALIBABA_CLOUD_CDN_ENDPOINT',
    description:
      'the CDN API endpoint (`https://cdn.ap-southeast-1.aliyuncs.com` for the international site)',
    default: `\`${DEFAULT_CDN_ENDPOINT}\``,
  },
  {
    key: 'ALIBABA_CLOUD_SLB_ENDPOINT',
    description: 'one endpoint for every SLB region (emulators, proxies)',
    default: '`slb.aliyuncs.com` for central regions, else `slb.{region}.aliyuncs.com`',
  },
  {
    key: 'ALIBABA_CLOUD_SCAN_CAS',
    description:
      'scan the Certificate Management Service (CAS): issued, uploaded and expired certificates, and where each is ' +
      'deployed (CAS is global: no region)',
    default: '`true` with the keys',
  },
  {
    key: 'ALIBABA_CLOUD_CAS_ENDPOINT',
    description:
      'the CAS API endpoint (`https://cas.ap-southeast-1.aliyuncs.com` for the international site)',
    default: `\`${DEFAULT_CAS_ENDPOINT}\``,
  },
];

// Alibaba's RPC signature covers a Timestamp and a one-time SignatureNonce: a request is good for 15 minutes
// and once (https://www.alibabacloud.com/help/en/sdk/product-overview/rpc-mechanism).
const CDN_PLAIN_HTTP_RISK =
  'anyone on the way reads the AccessKey id, the STS token if one is set, and every certificate the API ' +
  'returns, and can alter the replies';
const SLB_PLAIN_HTTP_RISK =
  'anyone on the way reads the AccessKey id, the STS token if one is set, and every certificate the API ' +
  'returns (with certwatch upload, the private key too), and can alter the replies';
const CAS_PLAIN_HTTP_RISK =
  'anyone on the way reads the AccessKey id, the STS token if one is set, and the certificate inventory, and can ' +
  'alter the replies';

export function readAliyun(
  get: SettingGet,
  problems: string[],
  endpoints: EndpointRules,
): AliyunConfig | null {
  const accessKeyId = get('ALIBABA_CLOUD_ACCESS_KEY_ID');
  const accessKeySecret = get('ALIBABA_CLOUD_ACCESS_KEY_SECRET');
  const regionsText = get('ALIBABA_CLOUD_SLB_REGIONS');
  if (!accessKeyId && !accessKeySecret) {
    if (regionsText) {
      problems.push(
        'ALIBABA_CLOUD_SLB_REGIONS is set but ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET are ' +
          'not: set both keys',
      );
    }
    return null;
  }
  if (!accessKeyId)
    problems.push(
      'ALIBABA_CLOUD_ACCESS_KEY_ID is missing (ALIBABA_CLOUD_ACCESS_KEY_SECRET is set): set both',
    );
  if (!accessKeySecret) {
    problems.push(
      'ALIBABA_CLOUD_ACCESS_KEY_SECRET is missing (ALIBABA_CLOUD_ACCESS_KEY_ID is set): set both',
    );
  }
  const slbRegions = readList(
    regionsText,
    'ALIBABA_CLOUD_SLB_REGIONS',
    REGION,
    'cn-hangzhou,cn-shanghai',
    problems,
  );
  const scanCdn = readBoolean(get, 'ALIBABA_CLOUD_SCAN_CDN', true, problems);
  const cdnEndpoint = readEndpoint(
    get,
    { key: 'ALIBABA_CLOUD_CDN_ENDPOINT', fallback: DEFAULT_CDN_ENDPOINT, plainHttpRisk: CDN_PLAIN_HTTP_RISK },
    problems,
    endpoints,
  );
  const slbEndpoint = readEndpoint(
    get,
    { key: 'ALIBABA_CLOUD_SLB_ENDPOINT', fallback: null, plainHttpRisk: SLB_PLAIN_HTTP_RISK },
    problems,
    endpoints,
  );
  const scanCas = readBoolean(get, 'ALIBABA_CLOUD_SCAN_CAS', true, problems);
  const casEndpoint = readEndpoint(
    get,
    { key: 'ALIBABA_CLOUD_CAS_ENDPOINT', fallback: DEFAULT_CAS_ENDPOINT, plainHttpRisk: CAS_PLAIN_HTTP_RISK },
    problems,
    endpoints,
  );
  if (!scanCdn && !scanCas && slbRegions.length === 0 && regionsText === undefined) {
    problems.push(
      'ALIBABA_CLOUD_SCAN_CDN and ALIBABA_CLOUD_SCAN_CAS are false and ALIBABA_CLOUD_SLB_REGIONS is not set: ' +
        'nothing of Alibaba Cloud would be scanned; list SLB regions, or scan CDN or CAS',
    );
  }
  // Read even when the key pair is incomplete: the settings a reader declares are the ones it asks for.
  const securityToken = get('ALIBABA_CLOUD_SECURITY_TOKEN') ?? null;
  if (!accessKeyId || !accessKeySecret) return null;
  return {
    accessKeyId,
    accessKeySecret,
    securityToken,
    slbRegions,
    scanCdn,
    cdnEndpoint: cdnEndpoint ?? DEFAULT_CDN_ENDPOINT,
    slbEndpoint,
    scanCas,
    casEndpoint: casEndpoint ?? DEFAULT_CAS_ENDPOINT,
  };
}
