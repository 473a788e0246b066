/**
 * The fleet `certwatch demo` and a bare `certwatch emulator` serve: a few hundred UCloud certificates over three
 * regions and three projects, an Alibaba Cloud account with CDN certificates, CDN and DCDN HTTPS domains, CAS
 * certificates, SLB server certificates in two regions and ALB and NLB listeners, and a second Alibaba account (a
 * Resource Directory member) with CAS, ALB and DCDN, all laid around the given clock so the report always shows
 * every status.
 */
import { makeTestCertificate } from '../x509/testCertificate';
import {
  casCertificateFromPem,
  chinaTime,
  generateAliyunCasFleet,
  generateAliyunCdnFleet,
  generateAliyunHttpsDomains,
  generateAliyunSlbFleet,
  generateUcloudFleet,
} from './generate';
import type {
  AliyunAccount,
  AliyunCasCertificate,
  AliyunHttpsDomain,
  AliyunMemberAccount,
  Fleet,
} from './model';

const DEMO_SEED = 20_260_101;
const DEMO_REGIONS = ['cn-bj2', 'cn-sh2', 'hk'];
const DEMO_PROJECTS = ['org-web', 'org-pay', 'org-ops'];
/** A project that exists but holds nothing: a scan must list it without complaint. */
const DEMO_EMPTY_PROJECT = 'org-sandbox';

/** The Alibaba Cloud credentials the demo account accepts. */
export const DEMO_ALIYUN_ACCOUNT: Readonly<AliyunAccount> = Object.freeze({
  AccessKeyId: 'demo-access-key-id',
  AccessKeySecret: 'demo-access-key-secret',
});
export const DEMO_ALIYUN_SLB_REGIONS: readonly string[] = Object.freeze(['cn-hangzhou', 'cn-shanghai']);

/**
 * The CAS certificate ids the demo's ALB and NLB listeners name (`<id>-cn-hangzhou`): the demo's CAS certificates
 * must carry these ids for the listeners' expiry to be found.
 */
export const DEMO_ALIYUN_LISTENER_CAS_IDS = Object.freeze({
  // www-soon and pay-uploaded (demoCasCases): one certificate, several places.
  albDefault: '30000003',
  albExtra: '30000002',
  nlb: '30000002',
} as const);

/** The demo's ALB and NLB: an HTTPS listener with a default and an extra CAS certificate and one opaque id. */
function demoLoadBalancers(): Pick<NonNullable<Fleet['aliyun']>, 'alb' | 'nlb'> {
  const cas = (id: string) => `${id}-cn-hangzhou`;
  return {
    alb: {
      loadBalancers: [
        {
          RegionId: 'cn-hangzhou',
          LoadBalancerId: 'alb-demo7x2kq9wz1m',
          name: 'shop-web',
          DNSName: 'alb-demo7x2kq9wz1m.cn-hangzhou.alb.aliyuncs.com',
          listeners: [
            {
              ListenerId: 'lsr-demo4hn2a8c0v5',
              port: 443,
              protocol: 'HTTPS',
              certificates: [
                { CertificateId: cas(DEMO_ALIYUN_LISTENER_CAS_IDS.albDefault), IsDefault: true },
                { CertificateId: cas(DEMO_ALIYUN_LISTENER_CAS_IDS.albExtra), IsDefault: false },
                // An id in the form the API docs show: not a CAS id, so its expiry stays unknown.
                { CertificateId: '1231579085529123_18c3f5a1e20_1714763408_709982', IsDefault: false },
              ],
            },
            { ListenerId: 'lsr-demo0pl3m6r8t2', port: 80, protocol: 'HTTP', certificates: [] },
          ],
        },
      ],
    },
    nlb: {
      loadBalancers: [
        {
          RegionId: 'cn-hangzhou',
          LoadBalancerId: 'nlb-demo5wq8e3y6u1',
          name: 'pay-tls',
          DNSName: 'nlb-demo5wq8e3y6u1.cn-hangzhou.nlb.aliyuncs.com',
          listeners: [
            {
              ListenerId: 'lsn-demo9ka4s7d2f6',
              port: 8443,
              protocol: 'TCPSSL',
              certificates: [{ CertificateId: cas(DEMO_ALIYUN_LISTENER_CAS_IDS.nlb), IsDefault: true }],
            },
          ],
        },
      ],
    },
  };
}

/** The demo's second Alibaba account: a Resource Directory member the main account reaches through its role. */
export const DEMO_ALIYUN_MEMBER = Object.freeze({ accountId: '1000000000000002', displayName: 'shop-prod' });

/**
 * The demo fleet for the clock `now` (epoch ms): one UCloud account that may read every project, and two Alibaba
 * accounts: the main one (the management account of a Resource Directory) and the member shop-prod. Some SLB certificates in the old API shape (no expiry fields) are the same certificates as CDN or
 * UCloud ones, so the demo can show an expiry found by matching fingerprints.
 */
export function demoFleet(now: number): Fleet {
  const projects = [...DEMO_PROJECTS, DEMO_EMPTY_PROJECT];
  const ucloudCertificates = generateUcloudFleet({
    count: 300,
    seed: DEMO_SEED,
    now,
    regions: DEMO_REGIONS,
    projects: DEMO_PROJECTS,
  });
  const cdnCertificates = generateAliyunCdnFleet({ count: 100, seed: DEMO_SEED + 1, now });
  const slbCertificates = generateAliyunSlbFleet({
    count: 60,
    seed: DEMO_SEED + 2,
    now,
    regions: [...DEMO_ALIYUN_SLB_REGIONS],
    sharedCertificates: [
      ...cdnCertificates.map((certificate) => certificate.HttpsCrt),
      ...ucloudCertificates.map((certificate) => certificate.SSLContent),
    ],
  });
  const casCertificates = [
    ...demoCasCases(now),
    ...generateAliyunCasFleet({ count: 30, seed: DEMO_SEED + 5, now }),
  ];
  return {
    aliyun: {
      accounts: [{ ...DEMO_ALIYUN_ACCOUNT }],
      cdn: { certificates: cdnCertificates },
      cdnDomains: {
        domains: [
          ...demoDomains(now).cdn,
          ...generateAliyunHttpsDomains({ count: 20, seed: DEMO_SEED + 3, now, product: 'CDN' }),
        ],
      },
      dcdnDomains: {
        domains: [
          ...demoDomains(now).dcdn,
          ...generateAliyunHttpsDomains({ count: 10, seed: DEMO_SEED + 4, now, product: 'DCDN' }),
        ],
      },
      slb: { certificates: slbCertificates },
      cas: { certificates: casCertificates },
      ...demoLoadBalancers(),
      resourceDirectory: true,
      members: [demoMember(now)],
    },
    ucloud: {
      accounts: [{ PublicKey: 'demo-public-key', PrivateKey: 'demo-private-key', Projects: projects }],
      projects,
      certificates: ucloudCertificates,
    },
  };
}

const DAY_MS = 86_400_000;

/**
 * The HTTPS domains the demo always shows, whatever the generator draws: a certificate Alibaba says does not match
 * its domain, a free certificate, and a DCDN domain whose certificate expires in five days.
 */
function demoDomains(now: number): { cdn: AliyunHttpsDomain[]; dcdn: AliyunHttpsDomain[] } {
  const started = chinaTime(now - 60 * DAY_MS);
  return {
    cdn: [
      {
        DomainName: 'img.mismatch-demo.example',
        CertName: 'www-mismatch-demo',
        CertCommonName: 'www.mismatch-demo.example',
        CertType: 'upload',
        CertStatus: 'mismatch',
        CertStartTime: started,
        CertExpireTime: chinaTime(now + 200 * DAY_MS),
        CertUpdateTime: started,
      },
      {
        DomainName: 'static.free-demo.example',
        CertName: 'free-static.free-demo.example',
        CertCommonName: 'static.free-demo.example',
        CertType: 'free',
        CertStatus: 'ok',
        CertStartTime: started,
        CertExpireTime: chinaTime(now + 40 * DAY_MS),
        CertUpdateTime: started,
      },
    ],
    dcdn: [
      {
        DomainName: 'api.dcdn-demo.example',
        CertName: 'api-dcdn-demo',
        CertCommonName: 'api.dcdn-demo.example',
        CertType: 'cas',
        CertStatus: 'expire_soon',
        CertStartTime: chinaTime(now - 85 * DAY_MS),
        CertExpireTime: chinaTime(now + 5 * DAY_MS),
        CertUpdateTime: chinaTime(now - 85 * DAY_MS),
      },
    ],
  };
}

/**
 * The CAS certificates the demo always shows: one expired (only a Status=EXPIRED listing finds it), one uploaded,
 * and one expiring in five days that is deployed on an ALB listener and a CDN domain.
 */
function demoCasCases(now: number): AliyunCasCertificate[] {
  const make = (days: number, host: string) =>
    makeTestCertificate({ keyType: 'ec', notAfter: now + days * DAY_MS, dnsNames: [host, `*.${host}`] });
  const cases = [
    { id: 30_000_001, name: 'shop-expired', upload: false, cert: make(-12, 'old-shop.example') },
    { id: 30_000_002, name: 'pay-uploaded', upload: true, cert: make(120, 'pay.example') },
    { id: 30_000_003, name: 'www-soon', upload: false, cert: make(5, 'www.example') },
  ];
  return cases.map(({ id, name, upload, cert }) =>
    casCertificateFromPem({
      CertificateId: id,
      Name: name,
      Upload: upload,
      leafPem: cert.leafPem,
      chainPems: [cert.intermediatePem],
      privateKeyPem: cert.leafPrivateKeyPem,
      now,
      Deployments:
        id === 30_000_003
          ? [
              {
                Id: 7_100_001,
                CloudProduct: 'ALB',
                RegionId: 'cn-hangzhou',
                InstanceId: 'alb-demo7x2kq9wz1m',
                ListenerId: 'lsr-demo4hn2a8c0v5',
                ListenerPort: '443',
                Domain: 'www.example',
                DefaultResource: 1,
              },
              { Id: 7_100_002, CloudProduct: 'CDN', Domain: 'static.www.example' },
            ]
          : undefined,
    }),
  );
}

/**
 * shop-prod: a few CAS certificates (one expiring in nine days, named by an ALB listener), and two DCDN domains.
 * It has no keys of its own: the main account reaches it through ResourceDirectoryAccountAccessRole, which the
 * emulator gives every member of the directory.
 */
function demoMember(now: number): AliyunMemberAccount {
  const make = (days: number, host: string) =>
    makeTestCertificate({ keyType: 'ec', notAfter: now + days * DAY_MS, dnsNames: [host, `*.${host}`] });
  const cases = [
    { id: 40_000_001, name: 'shop-checkout', cert: make(9, 'checkout.shop-prod.example') },
    { id: 40_000_002, name: 'shop-assets', cert: make(150, 'assets.shop-prod.example') },
    { id: 40_000_003, name: 'shop-admin', cert: make(45, 'admin.shop-prod.example') },
  ];
  const started = chinaTime(now - 30 * DAY_MS);
  return {
    ...DEMO_ALIYUN_MEMBER,
    cas: {
      certificates: cases.map(({ id, name, cert }) =>
        casCertificateFromPem({
          CertificateId: id,
          Name: name,
          Upload: false,
          leafPem: cert.leafPem,
          chainPems: [cert.intermediatePem],
          privateKeyPem: cert.leafPrivateKeyPem,
          now,
          ...(id === 40_000_001
            ? {
                Deployments: [
                  {
                    Id: 7_200_001,
                    CloudProduct: 'ALB',
                    RegionId: 'cn-hangzhou',
                    InstanceId: 'alb-shop3n8v1c5x7q',
                    ListenerId: 'lsr-shop6t2w9b4m1k',
                    ListenerPort: '443',
                    Domain: 'checkout.shop-prod.example',
                    DefaultResource: 1,
                  },
                  { Id: 7_200_002, CloudProduct: 'DCDN', Domain: 'checkout.shop-prod.example' },
                ],
              }
            : {}),
        }),
      ),
    },
    alb: {
      loadBalancers: [
        {
          RegionId: 'cn-hangzhou',
          LoadBalancerId: 'alb-shop3n8v1c5x7q',
          name: 'shop-checkout',
          DNSName: 'alb-shop3n8v1c5x7q.cn-hangzhou.alb.aliyuncs.com',
          listeners: [
            {
              ListenerId: 'lsr-shop6t2w9b4m1k',
              port: 443,
              protocol: 'HTTPS',
              certificates: [{ CertificateId: '40000001-cn-hangzhou', IsDefault: true }],
            },
          ],
        },
      ],
    },
    dcdnDomains: {
      domains: [
        {
          DomainName: 'checkout.shop-prod.example',
          CertName: 'shop-checkout',
          CertCommonName: 'checkout.shop-prod.example',
          CertType: 'cas',
          CertStatus: 'expire_soon',
          CertStartTime: started,
          CertExpireTime: chinaTime(now + 9 * DAY_MS),
          CertUpdateTime: started,
        },
        {
          DomainName: 'assets.shop-prod.example',
          CertName: 'shop-assets',
          CertCommonName: 'assets.shop-prod.example',
          CertType: 'cas',
          CertStatus: 'ok',
          CertStartTime: started,
          CertExpireTime: chinaTime(now + 150 * DAY_MS),
          CertUpdateTime: started,
        },
      ],
    },
  };
}
