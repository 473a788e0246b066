/**
 * Replies too large to hold (issue 16): an endpoint that answers 200 and streams forever, and one that declares a
 * Content-Length of 5 GiB, over real sockets, against the provider clients as the scan builds them and a chat
 * webhook channel. Each must end in a named error that says what to check, after reading no more than its limit:
 * the server sees the connection closed early, having sent little more than the limit (what the client read, plus
 * what the sockets buffer).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { slackPlatform } from '../../lib/channels/slack';
import { WEBHOOK_ANSWER_MAX_BYTES, WebhookSink } from '../../lib/channels/webhook';
import { AlertDeliveryError, ProviderError } from '../../lib/errors';
import { aliyunClient } from '../../lib/providers/aliyun/client';
import { uploadServerCertificate } from '../../lib/providers/aliyun/slb/uploadServerCertificate';
import { PROVIDER_REPLY_MAX_BYTES } from '../../lib/providers/transport';
import { UcloudClient } from '../../lib/providers/ucloud/client';
import { aliyunConfig } from '../helpers/aliyunConfig';
import { type FloodServer, startFloodServer } from '../helpers/floodServer';
import { cert, digestOf } from '../helpers/reports';

const MiB = 1024 * 1024;
/** What the sockets between the two ends may hold besides what the client read. */
const SOCKET_SLACK = 16 * MiB;
const FIVE_GIB = 5 * 1024 ** 3;

const floods: FloodServer[] = [];
afterEach(async () => {
  await Promise.all(floods.splice(0).map((flood) => flood.close()));
});

async function flood(mode: 'stream' | 'declare'): Promise<FloodServer> {
  // A declared body starts late, so a client that refuses on the headers closes before any of it is sent. Past
  // 64 MiB the server stops: a client without a limit then fails otherwise, instead of filling memory.
  const server = await startFloodServer({ mode, declaredBytes: FIVE_GIB, bodyDelayMs: 2_000 });
  floods.push(server);
  return server;
}

const retry = { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 };

function ucloud(apiUrl: string) {
  return new UcloudClient({ publicKey: 'p', privateKey: 'k', apiUrl, timeoutMs: 5_000, retry });
}

function aliyun(endpoint: string, product: 'CDN' | 'SLB') {
  return aliyunClient(
    aliyunConfig({
      slbRegions: ['cn-hangzhou'],
      scanCdn: true,
      casEndpoint: endpoint,
      cdnEndpoint: endpoint,
      scanCdnDomains: true,
      dcdnEndpoint: endpoint,
      slbEndpoint: endpoint,
    }),
    product === 'CDN' ? { product } : { product, region: 'cn-hangzhou' },
    { requestTimeoutMs: 5_000, retry },
  );
}

const calls = {
  'UCloud DescribeSSLV2': {
    call: (origin: string) =>
      ucloud(`${origin}/ucloud`).call(
        'DescribeSSLV2',
        { Region: 'cn-bj2', Limit: 100, Offset: 0 },
        'in cn-bj2',
      ),
    provider: 'ucloud',
    setting: 'UCLOUD_API_URL',
  },
  'Alibaba CDN DescribeCdnSSLCertificateList': {
    call: (origin: string) =>
      aliyun(`${origin}/aliyun/cdn`, 'CDN').call('DescribeCdnSSLCertificateList', { PageNumber: '1' }),
    provider: 'aliyun',
    setting: 'ALIBABA_CLOUD_CDN_ENDPOINT',
  },
};

describe.each(Object.entries(calls))('%s', (label, { call, provider, setting }) => {
  it('stops reading a reply that streams forever at 16 MiB: reply-too-large, not retried', async () => {
    const server = await flood('stream');
    const error = (await call(server.origin).catch((e: unknown) => e)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.name).toBe('ProviderError');
    expect({ provider: error.provider, code: error.code, retryable: error.retryable }).toEqual({
      provider,
      code: 'reply-too-large',
      retryable: false,
    });
    expect(error.message).toContain(`${label}`);
    expect(error.message).toContain(
      'the reply (HTTP 200) went past 16 MiB, the most certwatch reads of one provider reply, and was cut off ' +
        `there — check that ${setting} is the provider's API`,
    );
    expect(error.message).toContain('smaller pages would be needed (where the API pages): please report it');
    await server.settled();
    expect(server.replies).toHaveLength(1);
    expect(server.replies[0]!.closedEarly).toBe(true);
    expect(server.replies[0]!.bytesSent).toBeLessThan(PROVIDER_REPLY_MAX_BYTES + SOCKET_SLACK);
  });

  it('refuses a reply that declares 5 GiB on its headers, before any of the body', async () => {
    const server = await flood('declare');
    const error = (await call(server.origin).catch((e: unknown) => e)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.code).toBe('reply-too-large');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(
      `the reply (HTTP 200) declares ${FIVE_GIB} bytes (Content-Length), more than the 16 MiB certwatch reads ` +
        'of one provider reply, and was not read',
    );
    await server.settled();
    expect(server.replies).toEqual([{ path: expect.any(String), bytesSent: 0, closedEarly: true }]);
  });
});

describe('an SLB upload', () => {
  it('whose reply is too large to read may have been stored: SLB is asked, and the error says what to look for', async () => {
    const server = await flood('declare');
    const error = (await uploadServerCertificate(aliyun(`${server.origin}/aliyun/slb`, 'SLB'), {
      regionId: 'cn-hangzhou',
      certificatePem: 'certificate',
      privateKeyPem: 'key',
      name: 'renewed',
      fingerprintSha1: 'ab'.repeat(20),
    }).catch((e: unknown) => e)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.code).toBe('reply-too-large');
    expect(error.message).toMatch(
      /^Alibaba SLB UploadServerCertificate in cn-hangzhou: the reply \(HTTP 200\) declares \d+ bytes .*\. The upload may or may not have been stored, and SLB could not be asked \(Alibaba SLB DescribeServerCertificates .*declares/,
    );
    expect(error.message).toContain(
      `look for SHA-1 ${'ab'.repeat(20)} in the SLB console before uploading again`,
    );
    // The upload once, then the question (no retries of either: a reply too large will be as large again).
    await server.settled();
    expect(server.replies.map((reply) => reply.closedEarly)).toEqual([true, true]);
  });
});

describe('a Slack webhook channel', () => {
  const publish = async (origin: string): Promise<AlertDeliveryError> => {
    const sink = new WebhookSink(slackPlatform({ url: `${origin}/services/T0FLOOD/B0FLOOD/floodtoken` }), {
      sleep: async () => {},
      timeoutMs: 5_000,
    });
    const digest = digestOf([cert({ id: 'ssl-1', status: 'expired', daysLeft: -1 })])!;
    return (await sink.publishDigest(digest).catch((e: unknown) => e)) as AlertDeliveryError;
  };

  it('stops reading an answer that streams forever at 64 KiB, and does not send the message again', async () => {
    const server = await flood('stream');
    const error = await publish(server.origin);
    expect(error).toBeInstanceOf(AlertDeliveryError);
    expect(error.name).toBe('AlertDeliveryError');
    expect(error.message).toContain(
      "did not take the digest: its answer (HTTP 200) went past 64 KiB, the most certwatch reads of a webhook's " +
        'answer, and was cut off there: Slack answers in a few bytes, so something else may be answering at that ' +
        'URL (whether it took the message is unknown); check CERTWATCH_SLACK_URL',
    );
    await server.settled();
    expect(server.replies).toHaveLength(1);
    expect(server.replies[0]!.closedEarly).toBe(true);
    expect(server.replies[0]!.bytesSent).toBeLessThan(WEBHOOK_ANSWER_MAX_BYTES + SOCKET_SLACK);
  });

  it('refuses an answer that declares 5 GiB on its headers', async () => {
    const server = await flood('declare');
    const error = await publish(server.origin);
    expect(error).toBeInstanceOf(AlertDeliveryError);
    expect(error.message).toContain(
      `its answer (HTTP 200) declares ${FIVE_GIB} bytes (Content-Length), more than the 64 KiB`,
    );
    await server.settled();
    expect(server.replies).toEqual([{ path: expect.any(String), bytesSent: 0, closedEarly: true }]);
  });
});
