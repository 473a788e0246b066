import { describe, expect, it } from 'vitest';
import type { SnsTopicClient } from '../../../lib/channels/snsDoctor';
import { runChecksInOrder } from '../../../lib/checks/check';
import { loadConfig } from '../../../lib/config';
import { type DoctorClients, planChecks } from '../../../lib/doctor/plan';
import { providerOfKey } from '../../../lib/providers/registry';

const BASE = {
  UCLOUD_PUBLIC_KEY: 'p',
  UCLOUD_PRIVATE_KEY: 's',
  UCLOUD_REGIONS: 'cn-bj2,hk',
  UCLOUD_PROJECT_IDS: 'org-a,org-b',
  ALIBABA_CLOUD_ACCESS_KEY_ID: 'a',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'b',
  ALIBABA_CLOUD_SLB_REGIONS: 'cn-hangzhou,cn-shanghai',
};

/** Clients that must not be built: a test passes when the plan never asks for them. */
function untouchedClients(): DoctorClients & { built: string[] } {
  const built: string[] = [];
  return {
    built,
    sns: () => {
      built.push('sns');
      return {} as SnsTopicClient;
    },
    snsRegion: async () => null,
    dynamodb: () => {
      built.push('dynamodb');
      return { send: async () => ({ $metadata: {} }) };
    },
  };
}

const plan = (
  env: Record<string, string>,
  unreadableSecrets: Parameters<typeof planChecks>[0]['unreadableSecrets'] = [],
) => ({
  config: loadConfig(env),
  unreadableSecrets,
  defaultStateFile: '.certwatch/alert-state.json',
});

describe('planChecks', () => {
  it('checks every region × project, CDN, every SLB region, the topic and the table, in that order', () => {
    const clients = untouchedClients();
    const checks = planChecks(
      plan({
        ...BASE,
        CERTWATCH_SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:t',
        CERTWATCH_STATE_TABLE: 'certwatch-state',
      }),
      clients,
    );
    expect(checks.map((check) => check.subject)).toEqual([
      'UCloud DescribeSSLV2 in cn-bj2 (project org-a)',
      'UCloud DescribeSSLV2 in cn-bj2 (project org-b)',
      'UCloud DescribeSSLV2 in hk (project org-a)',
      'UCloud DescribeSSLV2 in hk (project org-b)',
      'Alibaba CDN DescribeCdnSSLCertificateList',
      'Alibaba CDN DescribeCdnHttpsDomainList',
      'Alibaba DCDN DescribeDcdnHttpsDomainList',
      'Alibaba CAS ListUserCertificateOrder',
      'Alibaba SLB DescribeServerCertificates in cn-hangzhou',
      'Alibaba SLB DescribeServerCertificates in cn-shanghai',
      'SNS topic arn:aws:sns:us-east-1:123456789012:t',
      'state table certwatch-state (DynamoDB)',
    ]);
    expect(clients.built).toEqual(['sns', 'dynamodb']);
  });

  it('notes the console as the alert channel and checks the default state file without a table', async () => {
    const clients = untouchedClients();
    const checks = planChecks(plan({ ...BASE, ALIBABA_CLOUD_SCAN_CDN: 'false' }), clients);
    const subjects = checks.map((check) => check.subject);
    expect(subjects).not.toContain('Alibaba CDN DescribeCdnSSLCertificateList');
    expect(subjects.at(-1)).toBe(
      'state file .certwatch/alert-state.json (the default; CERTWATCH_STATE_FILE moves it)',
    );
    const note = await checks.at(-2)!.run();
    expect(note).toEqual({
      status: 'info',
      text:
        'alerts: CERTWATCH_SNS_TOPIC_ARN is not set, so alerts would be printed to the console (to the ' +
        "function's log on Lambda); set it to send them to an SNS topic",
    });
    expect(clients.built).toEqual([]);
  });

  it('says nothing of the console when another channel than SNS is configured', () => {
    const clients = untouchedClients();
    const checks = planChecks(
      plan({ ...BASE, CERTWATCH_EMAIL_FROM: 'certwatch@example.com', CERTWATCH_EMAIL_TO: 'ops@example.com' }),
      clients,
    );
    expect(checks.map((check) => check.subject).filter((subject) => subject.startsWith('alerts:'))).toEqual(
      [],
    );
    expect(checks.at(-1)?.subject).toBe(
      'state file .certwatch/alert-state.json (the default; CERTWATCH_STATE_FILE moves it)',
    );
    expect(clients.built).toEqual([]);
  });

  it('checks a named state file beside a table', () => {
    const checks = planChecks(
      plan({ ...BASE, CERTWATCH_STATE_TABLE: 'certwatch-state', CERTWATCH_STATE_FILE: '/tmp/x/state.json' }),
      untouchedClients(),
    );
    expect(checks.slice(-2).map((check) => check.subject)).toEqual([
      'state table certwatch-state (DynamoDB)',
      'state file /tmp/x/state.json (CERTWATCH_STATE_FILE)',
    ]);
  });

  it('does not call a provider whose key could not be read from SSM', async () => {
    const fetched: string[] = [];
    const clients: DoctorClients = {
      ...untouchedClients(),
      provider: {
        fetch: async (url) => {
          fetched.push(String(url));
          return new Response('{}');
        },
      },
    };
    const checks = planChecks(plan(BASE, ['UCLOUD_PRIVATE_KEY']), clients);
    const results = await runChecksInOrder(checks.slice(0, 1), 1, () => {});
    expect(results).toEqual([
      {
        status: 'skip',
        text: 'UCloud: not called, because UCLOUD_PRIVATE_KEY could not be read from SSM (above)',
      },
    ]);
    expect(checks[1]?.subject).toBe('Alibaba CDN DescribeCdnSSLCertificateList');
    expect(fetched).toEqual([]);
  });

  it('maps each secret setting to its provider', () => {
    expect(providerOfKey('UCLOUD_PUBLIC_KEY')?.id).toBe('ucloud');
    expect(providerOfKey('ALIBABA_CLOUD_ACCESS_KEY_SECRET')?.id).toBe('aliyun');
  });
});
