import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cachedAliyunCdnFleet,
  cachedAliyunSlbFleet,
  cachedUcloudFleet,
  FleetFileError,
  readFleetFile,
  validateFleet,
} from '../../../emulator/fleet/file';
import {
  type AliyunCdnFleetOptions,
  generateAliyunCdnFleet,
  generateAliyunSlbFleet,
  type UcloudFleetOptions,
} from '../../../emulator/fleet/generate';
import { makeTestCertificate } from '../../../emulator/x509/testCertificate';

let directory = '';
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'certwatch-fleet-'));
});
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

function certificate(index: number): Record<string, unknown> {
  return {
    Region: 'cn-bj2',
    ProjectId: 'org-web',
    SSLId: `ssl-0000000${index}`,
    SSLName: `cert-${index}`,
    SSLContent: makeTestCertificate({ notAfter: Date.UTC(2027, 0, 1) }).pem,
    NotAfter: Date.UTC(2027, 0, 1) / 1000,
    Relations: [
      {
        LoadBalancerId: 'ulb-1',
        LoadBalancerName: 'web',
        ListenerId: 'vserver-1',
        ListenerName: 'https',
        IsDefault: true,
      },
    ],
  };
}

function writeFleet(name: string, content: unknown): string {
  const path = join(directory, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function problemsOf(action: () => unknown): string[] {
  try {
    action();
  } catch (error) {
    if (error instanceof FleetFileError) return error.problems;
    throw error;
  }
  throw new Error('expected a FleetFileError');
}

describe('readFleetFile', () => {
  it('reads a valid fleet', () => {
    const fleet = {
      ucloud: {
        accounts: [{ PublicKey: 'pub', PrivateKey: 'priv', Projects: ['org-web'] }],
        projects: ['org-web', 'org-empty'],
        certificates: [certificate(0), certificate(1)],
      },
    };
    expect(readFleetFile(writeFleet('valid.json', fleet))).toEqual(fleet);
    expect(readFleetFile(writeFleet('empty.json', {}))).toEqual({});
  });

  it('names the file, the entry and the field', () => {
    const certificates = [0, 1, 2, 3].map(certificate);
    certificates[3] = { ...certificates[3], SSLContent: 42 };
    const path = writeFleet('fleet.json', { ucloud: { certificates } });
    expect(() => readFleetFile(path)).toThrow(`${path}: ucloud.certificates[3].SSLContent must be a string`);
  });

  it('reports every problem at once', () => {
    const certificates = [0, 1, 2].map(certificate);
    const { Region: _, ...withoutRegion } = certificates[0]!;
    certificates[0] = { ...withoutRegion, NotAfer: 1 };
    certificates[1] = {
      ...certificates[1],
      NotAfter: '2027-01-01',
      Relations: [{ LoadBalancerId: 'ulb-1' }],
    };
    certificates[2] = { ...certificates[2], SSLId: 'ssl-00000000' };
    const problems = problemsOf(() =>
      validateFleet({ ucloud: { certificates, accounts: [{ PublicKey: '' }], projects: [7] }, azure: {} }),
    );
    expect(problems).toEqual([
      'azure is not a known field (expected one of: aliyun, ucloud)',
      'ucloud.accounts[0].PublicKey must be a non-empty string',
      'ucloud.accounts[0].PrivateKey is missing',
      'ucloud.projects[0] must be a non-empty string',
      'ucloud.certificates[0].NotAfer is not a known field (expected one of: Region, ProjectId, SSLId, SSLName, ' +
        'SSLType, SSLContent, CreateTime, HashValue, SSLSource, USSLId, Domains, DNSNames, NotBefore, NotAfter, Relations)',
      'ucloud.certificates[0].Region is missing',
      'ucloud.certificates[1].NotAfter must be a non-negative number',
      'ucloud.certificates[1].Relations[0].LoadBalancerName is missing',
      'ucloud.certificates[1].Relations[0].ListenerId is missing',
      'ucloud.certificates[1].Relations[0].ListenerName is missing',
      'ucloud.certificates[1].Relations[0].IsDefault is missing',
      'ucloud.certificates[2].SSLId "ssl-00000000" repeats ucloud.certificates[0].SSLId',
    ]);
  });

  it('says when the shape is wrong from the top', () => {
    expect(problemsOf(() => validateFleet([]))).toEqual(['the top level must be an object']);
    expect(problemsOf(() => validateFleet({ ucloud: {} }))).toEqual([
      'ucloud.certificates is missing (use [] for none)',
    ]);
    expect(problemsOf(() => validateFleet({ ucloud: { certificates: {} } }))).toEqual([
      'ucloud.certificates must be an array',
    ]);
    expect(problemsOf(() => validateFleet({ ucloud: { certificates: [null] } }))).toEqual([
      'ucloud.certificates[0] must be an object',
    ]);
  });

  it('says when the file is missing or not JSON', () => {
    const missing = join(directory, 'missing.json');
    expect(() => readFleetFile(missing)).toThrow(`${missing}: cannot be read (ENOENT)`);
    const broken = writeFleet('broken.json', '{"ucloud": ');
    expect(() => readFleetFile(broken)).toThrow(`${broken}: is not valid JSON`);
  });

  it('shows at most twenty problems in the message', () => {
    const certificates = Array.from({ length: 30 }, () => ({}));
    const error = (() => {
      try {
        validateFleet({ ucloud: { certificates } }, 'big.json');
      } catch (caught) {
        return caught as FleetFileError;
      }
    })();
    expect(error?.problems).toHaveLength(30 * 5);
    expect(error?.message.split('\n')).toHaveLength(21);
    expect(error?.message).toMatch(/big\.json: \.\.\. and 130 more$/);
  });
});

describe('cachedUcloudFleet', () => {
  const options: UcloudFleetOptions = {
    count: 20,
    seed: 9,
    now: Date.UTC(2026, 0, 1),
    regions: ['cn-bj2'],
    projects: ['org-web'],
  };

  it('generates once, then reads the same fleet back', () => {
    const cacheDir = join(directory, 'cache');
    const first = cachedUcloudFleet(options, cacheDir);
    expect(first.fromCache).toBe(false);
    expect(first.certificates).toHaveLength(20);
    expect(readdirSync(cacheDir)).toEqual([first.path.slice(cacheDir.length + 1)]);

    const second = cachedUcloudFleet(options, cacheDir);
    expect(second).toEqual({ ...first, fromCache: true });
    expect(readFleetFile(second.path).ucloud?.certificates).toEqual(first.certificates);
  });

  it('keys the cache by every option', () => {
    const cacheDir = join(directory, 'keyed');
    const paths = new Set(
      [
        options,
        { ...options, seed: 10 },
        { ...options, now: options.now + 1 },
        { ...options, projects: ['org-x'] },
      ].map((variant) => cachedUcloudFleet(variant, cacheDir).path),
    );
    expect(paths.size).toBe(4);
  });

  it('treats a corrupt cache file as a miss', () => {
    const cacheDir = join(directory, 'corrupt');
    const { path } = cachedUcloudFleet(options, cacheDir);
    writeFileSync(path, '{"ucloud": {"certif');
    const again = cachedUcloudFleet(options, cacheDir);
    expect(again.fromCache).toBe(false);
    expect(cachedUcloudFleet(options, cacheDir).fromCache).toBe(true);
  });
});

describe('validateFleet: the aliyun section', () => {
  const now = Date.UTC(2026, 0, 1);

  it('accepts generated CDN and SLB fleets and Alibaba accounts', () => {
    const fleet = {
      aliyun: {
        accounts: [{ AccessKeyId: 'id', AccessKeySecret: 'secret' }],
        cdn: { certificates: generateAliyunCdnFleet({ count: 30, seed: 1, now }) },
        slb: { certificates: generateAliyunSlbFleet({ count: 30, seed: 1, now, regions: ['cn-hangzhou'] }) },
      },
    };
    expect(validateFleet(fleet)).toBe(fleet);
    expect(readFleetFile(writeFleet('aliyun.json', fleet))).toEqual(fleet);
    expect(validateFleet({ aliyun: {} })).toEqual({ aliyun: {} });
  });

  it('names every problem by its path, unknown keys included', () => {
    const cdn = generateAliyunCdnFleet({ count: 3, seed: 2, now }) as unknown as Record<string, unknown>[];
    cdn[0] = { ...cdn[0], CertId: '12', CertExpiry: 'x' };
    cdn[1] = { ...cdn[1], CertType: 'paid', LastTime: -1 };
    cdn[2] = { ...cdn[2], CertId: cdn[1]!.CertId };
    delete cdn[2]!.HttpsCrt;
    const slb = generateAliyunSlbFleet({
      count: 2,
      seed: 2,
      now,
      regions: ['cn-hangzhou'],
    }) as unknown as Record<string, unknown>[];
    slb[0] = { ...slb[0], SubjectAlternativeNames: 'a.example', IsAliCloudCertificate: 2 };
    slb[1] = { ...slb[1], ServerCertificateId: slb[0]!.ServerCertificateId, RegionId: '' };
    const problems = problemsOf(() =>
      validateFleet({
        aliyun: {
          accounts: [{ AccessKeyId: 'a' }, { AccessKeyId: 'a', AccessKeySecret: 's' }],
          cdn: { certificates: cdn, total: 3 },
          slb: {},
          ecs: {},
        },
      }),
    );
    expect(problems).toEqual([
      'aliyun.ecs is not a known field (expected one of: accounts, cdn, cdnDomains, dcdnDomains, slb, cas, alb, nlb, ' +
        'accountId, displayName, resourceDirectory, roles, members)',
      'aliyun.accounts[0].AccessKeySecret is missing',
      'aliyun.accounts[1].AccessKeyId "a" repeats aliyun.accounts[0].AccessKeyId',
      'aliyun.cdn.total is not a known field (expected one of: certificates)',
      'aliyun.cdn.certificates[0].CertExpiry is not a known field (expected one of: CertId, CertName, Common, ' +
        'Fingerprint, Issuer, CertRegion, LastTime, CertType, CreateTime, CertExpireTime, DomainList, HttpsCrt)',
      'aliyun.cdn.certificates[0].CertId must be a positive whole number',
      'aliyun.cdn.certificates[1].LastTime must be a non-negative number',
      'aliyun.cdn.certificates[1].CertType must be one of "free", "cas", "upload"',
      'aliyun.cdn.certificates[2].HttpsCrt is missing',
      `aliyun.cdn.certificates[2].CertId "${cdn[1]!.CertId}" repeats aliyun.cdn.certificates[1].CertId`,
      'aliyun.slb.certificates is missing (use [] for none)',
    ]);
    const slbProblems = problemsOf(() => validateFleet({ aliyun: { slb: { certificates: slb } } }));
    expect(slbProblems).toEqual([
      'aliyun.slb.certificates[0].SubjectAlternativeNames must be an array',
      'aliyun.slb.certificates[0].IsAliCloudCertificate must be one of 0, 1',
      'aliyun.slb.certificates[1].RegionId must be a non-empty string',
      `aliyun.slb.certificates[1].ServerCertificateId "${slb[0]!.ServerCertificateId}" repeats ` +
        'aliyun.slb.certificates[0].ServerCertificateId',
    ]);
    expect(problemsOf(() => validateFleet({ aliyun: [] }))).toEqual(['aliyun must be an object']);
  });
});

describe('cachedAliyunCdnFleet and cachedAliyunSlbFleet', () => {
  const options: AliyunCdnFleetOptions = { count: 15, seed: 9, now: Date.UTC(2026, 0, 1) };

  it('generate once, then read the same fleet back, keyed by every option', () => {
    const cacheDir = join(directory, 'aliyun-cache');
    const first = cachedAliyunCdnFleet(options, cacheDir);
    expect(first.fromCache).toBe(false);
    expect(first.certificates).toHaveLength(15);
    expect(cachedAliyunCdnFleet(options, cacheDir)).toEqual({ ...first, fromCache: true });
    expect(cachedAliyunCdnFleet({ ...options, seed: 10 }, cacheDir).path).not.toBe(first.path);

    const slbOptions = {
      ...options,
      regions: ['cn-hangzhou'],
      sharedCertificates: [first.certificates[0]!.HttpsCrt],
    };
    const slb = cachedAliyunSlbFleet(slbOptions, cacheDir);
    expect(slb.fromCache).toBe(false);
    expect(cachedAliyunSlbFleet(slbOptions, cacheDir)).toEqual({ ...slb, fromCache: true });
    expect(cachedAliyunSlbFleet({ ...slbOptions, sharedCertificates: [] }, cacheDir).path).not.toBe(slb.path);
    expect(readFleetFile(slb.path).aliyun?.slb?.certificates).toEqual(slb.certificates);
  });

  it('treats a cache file without its section as a miss', () => {
    const cacheDir = join(directory, 'aliyun-miss');
    const { path } = cachedAliyunCdnFleet(options, cacheDir);
    writeFileSync(path, JSON.stringify({ ucloud: { certificates: [] } }));
    expect(cachedAliyunCdnFleet(options, cacheDir).fromCache).toBe(false);
  });
});

describe('validateFleet: Alibaba accounts, roles and members', () => {
  const problemsOf = (data: unknown): string[] => {
    try {
      validateFleet(data);
      return [];
    } catch (error) {
      return (error as FleetFileError).problems;
    }
  };

  it('accepts a main account with roles and a Resource Directory of members', () => {
    const fleet = {
      aliyun: {
        accounts: [{ AccessKeyId: 'k', AccessKeySecret: 's' }],
        accountId: '1000000000000001',
        displayName: 'main',
        resourceDirectory: true,
        roles: [{ roleName: 'Auditor', trusts: ['1000000000000001'], maxSessionDuration: 7200 }],
        members: [
          {
            accountId: '1000000000000002',
            displayName: 'shop-prod',
            type: 'CloudAccount',
            joinMethod: 'invited',
            status: 'InviteSuccess',
            accounts: [{ AccessKeyId: 'k2', AccessKeySecret: 's2' }],
            roles: [{ roleName: 'Reader', trusts: ['1000000000000001'] }],
            cas: { certificates: [{ CertificateId: 1, Name: 'a', Upload: true }] },
            dcdnDomains: { domains: [{ DomainName: 'a.example' }] },
          },
        ],
      },
    };
    expect(validateFleet(fleet)).toBe(fleet);
  });

  it('names every bad field, repeated ids across accounts and the members’ own resources', () => {
    const problems = problemsOf({
      aliyun: {
        accounts: [{ AccessKeyId: 'k', AccessKeySecret: 's' }],
        accountId: 1000000000000001,
        displayName: '',
        resourceDirectory: 'yes',
        roles: [
          { roleName: 'Reader', trusts: ['12x'], maxSessionDuration: 60 },
          { roleName: 'reader', trusts: [] },
        ],
        members: [
          {
            accountId: '1000000000000002',
            displayName: 'a',
            type: 'Other',
            joinMethod: 'asked',
            accounts: [{ AccessKeyId: 'k', AccessKeySecret: 's' }],
            cas: { certificates: [{ CertificateId: 0, Name: 'x', Upload: true }] },
            ecs: {},
          },
          { accountId: '1000000000000002', roles: [{ trusts: ['1'] }] },
          'not an account',
        ],
      },
    });
    expect(problems).toEqual([
      'aliyun.roles[0].trusts[0] must be a string of digits, e.g. "1000000000000002"',
      'aliyun.roles[0].maxSessionDuration must be a whole number of seconds from 3600 to 43200',
      'aliyun.roles[1].roleName "reader" repeats aliyun.roles[0].roleName',
      'aliyun.accountId must be a string of digits, e.g. "1000000000000002"',
      'aliyun.displayName must be a non-empty string',
      'aliyun.resourceDirectory must be true or false',
      'aliyun.members[0].ecs is not a known field (expected one of: cdn, cdnDomains, dcdnDomains, slb, cas, alb, ' +
        'nlb, accountId, displayName, type, joinMethod, status, accounts, roles)',
      'aliyun.members[0].type must be one of "ResourceAccount", "CloudAccount"',
      'aliyun.members[0].joinMethod must be one of "created", "invited"',
      'aliyun.members[0].accounts[0].AccessKeyId "k" repeats aliyun.accounts[0].AccessKeyId',
      'aliyun.members[0].cas.certificates[0].CertificateId must be a positive whole number',
      'aliyun.members[1].displayName is missing',
      'aliyun.members[1].accountId "1000000000000002" repeats aliyun.members[0].accountId',
      'aliyun.members[1].roles[0].roleName is missing',
      'aliyun.members[2] must be an object',
    ]);
  });
});
