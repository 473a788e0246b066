/** An Alibaba configuration for tests that build clients or sources directly: nothing scanned unless overridden. */
import type { AliyunConfig } from '../../lib/providers/aliyun/config';

export function aliyunConfig(overrides: Partial<AliyunConfig> = {}): AliyunConfig {
  return {
    accessKeyId: 'id',
    accessKeySecret: 'secret',
    securityToken: null,
    slbRegions: [],
    scanCdn: false,
    cdnEndpoint: 'https://cdn.aliyuncs.com',
    scanCdnDomains: false,
    scanDcdn: false,
    dcdnEndpoint: 'https://dcdn.aliyuncs.com',
    scanCas: false,
    casEndpoint: 'https://cas.aliyuncs.com',
    slbEndpoint: null,
    albRegions: [],
    albEndpoint: null,
    nlbRegions: [],
    nlbEndpoint: null,
    account: { id: null, name: 'default' },
    assumeRoles: [],
    keyedAccounts: [],
    keyedAccountShards: 0,
    resourceDirectory: null,
    stsEndpoint: 'https://sts.aliyuncs.com',
    resourceManagerEndpoint: 'https://resourcemanager.aliyuncs.com',
    ...overrides,
  };
}
