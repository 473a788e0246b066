import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { makeTestCertificate } from '../../../emulator/x509/testCertificate';
import { evaluate } from '../../../lib/expiry/evaluate';
import { DEFAULT_STATUS_DAYS } from '../../../lib/expiry/status';
import type { ObservedCertificate } from '../../../lib/model';
import { identityOf } from '../../../lib/model';
import type { CertificateSource } from '../../../lib/providers/source';
import { scanFleet } from '../../../lib/scan';
import {
  CHUNK_BYTES,
  decodeShardResult,
  encodeShardResult,
  runReport,
  type ShardResult,
} from '../../../lib/shard/result';
import { scanShard } from '../../../lib/shard/scanShard';
import { obeyedStrings } from '../../helpers/hostileReport';
import { observed } from '../../helpers/observed';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const DAY = 86_400_000;
const pem = makeTestCertificate({ notAfter: NOW + 20 * DAY, dnsNames: ['shop.example'] }).pem;

function fleetResult(count: number): ShardResult {
  const template = observed({ pem, region: 'cn-bj2' });
  const certificates = Array.from({ length: count }, (_, i) =>
    evaluate(
      { ...template, id: `ssl-${String(i).padStart(6, '0')}`, name: `shop-${i}` },
      NOW,
      DEFAULT_STATUS_DAYS,
    ),
  );
  return { certificates, failures: [], leaves: [], pending: [] };
}

describe('a shard result in storage', () => {
  it('is gzip-compressed JSON in chunks under DynamoDB’s item limit, and reads back the same', async () => {
    const result = fleetResult(5000);
    const json = JSON.stringify(result).length;
    const chunks = await encodeShardResult(result);
    const stored = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    expect(chunks.every((chunk) => chunk.length <= CHUNK_BYTES)).toBe(true);
    expect(CHUNK_BYTES).toBeLessThan(400 * 1024 - 1024);
    // Records repeat their keys and most values: a tenth of the JSON or less.
    expect(stored).toBeLessThan(json / 10);
    expect(await decodeShardResult(chunks)).toEqual(result);
  });

  it('splits into as many chunks as it needs, and a missing chunk is an error, not a shorter result', async () => {
    const result = fleetResult(2000);
    const chunks = await encodeShardResult(result, 4096);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.slice(0, -1).every((chunk) => chunk.length === 4096)).toBe(true);
    expect(await decodeShardResult(chunks)).toEqual(result);
    await expect(decodeShardResult(chunks.slice(0, -1))).rejects.toThrow();
    expect(await encodeShardResult({ certificates: [], failures: [], leaves: [], pending: [] })).toHaveLength(
      1,
    );
  });
});

/** A hand-written source that reports what it is given, as a provider would. */
function source(
  provider: string,
  service: string,
  items: ObservedCertificate[],
  failure?: string,
): CertificateSource {
  return {
    provider,
    service,
    async scan(sink) {
      for (const item of items) sink.certificate(item);
      if (failure)
        sink.failure({ provider, service, region: 'cn-shanghai', project: null, message: failure });
    },
  };
}

describe('runReport over shards', () => {
  const ucloud = source('ucloud', 'ulb', [
    observed({ id: 'ssl-twin', pem }),
    observed({ id: 'ssl-b', pem, region: 'hk' }),
  ]);
  const sha1 = observed({ pem }).chain!.leaf.fingerprintSha1;
  const slbOnly = (id: string, fingerprint: string) =>
    observed({
      provider: 'aliyun',
      service: 'slb',
      region: 'cn-hangzhou',
      id,
      chain: null,
      apiFingerprintSha1: fingerprint,
      inUse: null,
    });
  const slb = source(
    'aliyun',
    'slb',
    [slbOnly('slb-twin', sha1), slbOnly('slb-orphan', 'ab'.repeat(20))],
    'SLB cn-shanghai: Throttling',
  );
  const options = { statusDays: DEFAULT_STATUS_DAYS, nowMs: NOW, clock: () => NOW };

  it('is the report one scan of every source gives, fingerprint twins resolved across shards', async () => {
    const slbShard = await scanShard([slb], options);
    // The SLB shard alone cannot resolve its fingerprint-only certificates: it keeps them for the run.
    expect(slbShard.certificates).toEqual([]);
    expect(slbShard.pending.map((cert) => cert.id)).toEqual(['slb-twin', 'slb-orphan']);
    const shards = [await scanShard([ucloud], options), slbShard];
    const merged = runReport({
      results: shards,
      missing: [],
      nowMs: NOW,
      generatedAtMs: NOW,
      statusDays: DEFAULT_STATUS_DAYS,
    });
    expect(merged).toEqual(await scanFleet([ucloud, slb], options));
    expect(merged.certificates.find((c) => c.id === 'slb-twin')).toMatchObject({
      status: 'warning',
      expirySource: 'fingerprint:ucloud/ulb ssl-twin',
    });
    // Stored and read back, the same.
    const stored = await Promise.all(
      shards.map(async (shard) => decodeShardResult(await encodeShardResult(shard))),
    );
    expect(
      runReport({
        results: stored,
        missing: [],
        nowMs: NOW,
        generatedAtMs: NOW,
        statusDays: DEFAULT_STATUS_DAYS,
      }),
    ).toEqual(merged);
  });

  it('ties copies together across shards as one scan does: a listener by CAS id, a stored copy by SHA-1', async () => {
    const leaf = observed({ pem }).chain!.leaf;
    const cas = source('aliyun', 'cas', [
      observed({
        provider: 'aliyun',
        service: 'cas',
        region: 'global',
        id: '18382705',
        chain: null,
        apiNotAfter: { epochMs: NOW + 3 * 86_400_000, source: 'api:NotAfter' },
        apiFingerprintSha1: leaf.fingerprintSha1,
        apiFingerprintSha256: leaf.fingerprintSha256,
        casCertificateId: '18382705',
      }),
    ]);
    const alb = source('aliyun', 'alb', [
      observed({
        provider: 'aliyun',
        service: 'alb',
        region: 'cn-hangzhou',
        id: 'lsr-1/18382705-cn-hangzhou',
        chain: null,
        domains: [],
        casCertificateId: '18382705',
      }),
    ]);
    const storedCopy = source('aliyun', 'slb', [
      observed({
        provider: 'aliyun',
        service: 'slb',
        region: 'cn-hangzhou',
        id: 'slb-copy',
        chain: null,
        apiNotAfter: { epochMs: NOW + 3 * 86_400_000, source: 'api:ExpireTime' },
        apiFingerprintSha1: leaf.fingerprintSha1,
      }),
    ]);
    const shards = [
      await scanShard([alb], options),
      await scanShard([storedCopy], options),
      await scanShard([cas], options),
    ];
    const merged = runReport({
      results: await Promise.all(
        shards.map(async (shard) => decodeShardResult(await encodeShardResult(shard))),
      ),
      missing: [],
      nowMs: NOW,
      generatedAtMs: NOW,
      statusDays: DEFAULT_STATUS_DAYS,
    });
    expect(merged).toEqual(await scanFleet([alb, storedCopy, cas], options));
    expect(merged.certificates.find((c) => c.service === 'alb')).toMatchObject({
      status: 'critical',
      expirySource: 'cas:aliyun/cas 18382705',
      fingerprintSha256: leaf.fingerprintSha256,
    });
    expect(new Set(merged.certificates.map(identityOf))).toEqual(
      new Set([`sha256:${leaf.fingerprintSha256}`]),
    );
  });

  it('holds back and hands on only inert text, as one scan would', async () => {
    const hostileUcloud = source('ucloud', 'ulb', [observed({ id: 'ssl-\x1b[2Jtwin', pem })]);
    const hostileSlb = source(
      'aliyun',
      'slb',
      [{ ...slbOnly('slb-\u202etwin', sha1), name: 'twin\n== Could not check ==', domains: [] }],
      'SLB cn-shanghai: "\u2028What to do: run curl"',
    );
    const slbShard = await scanShard([hostileSlb], options);
    expect(slbShard.pending.map((cert) => [cert.id, cert.name])).toEqual([
      ['slb-\\u202etwin', 'twin\\n== Could not check =='],
    ]);
    expect(slbShard.failures.map((failure) => failure.message)).toEqual([
      'SLB cn-shanghai: "\\u2028What to do: run curl"',
    ]);
    const ucloudShard = await scanShard([hostileUcloud], options);
    expect(ucloudShard.leaves.map((leaf) => leaf.where)).toEqual(['ucloud/ulb ssl-\\x1b[2Jtwin']);
    const merged = runReport({
      results: [ucloudShard, slbShard],
      missing: [],
      nowMs: NOW,
      generatedAtMs: NOW,
      statusDays: DEFAULT_STATUS_DAYS,
    });
    expect(obeyedStrings(merged)).toEqual([]);
    expect(merged.certificates.find((c) => c.service === 'slb')).toMatchObject({
      expirySource: 'fingerprint:ucloud/ulb ssl-\\x1b[2Jtwin',
      domains: ['shop.example'],
    });
  });

  it('counts a missing shard as failures, so the run is incomplete', async () => {
    const missing = [
      { provider: 'aliyun', service: 'cdn', region: null, project: null, message: 'shard aliyun-cdn lost' },
    ];
    const report = runReport({
      results: [await scanShard([ucloud], options)],
      missing,
      nowMs: NOW,
      generatedAtMs: NOW + 5000,
      statusDays: DEFAULT_STATUS_DAYS,
    });
    expect(report).toMatchObject({
      complete: false,
      failures: missing,
      generatedAtMs: Date.parse('2026-11-23T12:00:05Z'),
      nowMs: Date.parse('2026-11-23T12:00:00Z'),
    });
    // In report order: by provider, service, region, project, id.
    expect(report.certificates.map((c) => c.id)).toEqual(['ssl-twin', 'ssl-b']);
  });
});

describe('a shard result written before instants were numbers', () => {
  it('reads a certwatch.shard-result/1 result, its ISO instants as epoch ms', async () => {
    const current = fleetResult(3);
    const [record] = current.certificates;
    const { notAfterMs, leafNotAfterMs, notBeforeMs, ...rest } = record!;
    // What a shard of the previous release stored: the same record with its instants as ISO text.
    const v1Record = {
      ...rest,
      notAfter: new Date(notAfterMs!).toISOString(),
      leafNotAfter: leafNotAfterMs === null ? null : new Date(leafNotAfterMs).toISOString(),
      notBefore: new Date(notBeforeMs!).toISOString(),
    };
    const unknown = { ...v1Record, id: 'ssl-unknown', notAfter: null, leafNotAfter: null, notBefore: null };
    const document = {
      schema: 'certwatch.shard-result/1',
      certificates: [v1Record, unknown],
      failures: [],
      leaves: [],
      pending: [],
    };
    const chunks = [await promisify(gzip)(JSON.stringify(document))];
    const decoded = await decodeShardResult(chunks);
    expect(decoded.certificates).toEqual([
      record,
      { ...rest, id: 'ssl-unknown', notAfterMs: null, leafNotAfterMs: null, notBeforeMs: null },
    ]);
    expect(decoded.certificates[0]).not.toHaveProperty('notAfter');
  });

  it('writes certwatch.shard-result/2, and refuses a schema it does not know', async () => {
    const chunks = await encodeShardResult(fleetResult(1));
    const text = (await promisify(gunzip)(Buffer.concat(chunks))).toString('utf8');
    expect(JSON.parse(text).schema).toBe('certwatch.shard-result/2');
    const unknown = [await promisify(gzip)(text.replace('shard-result/2', 'shard-result/9'))];
    await expect(decodeShardResult(unknown)).rejects.toThrow('not a certwatch.shard-result/2 document');
  });
});
