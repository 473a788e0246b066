/**
 * `npm run bench:parse`: CPU per certificate for parse + evaluate — readPemChain, then evaluate() on the
 * observed certificate — with the X509Certificate reader and with the DER reader, over a generated fleet of
 * 10,000 chains shaped like the emulator's (UCloud and CDN; RSA and ECDSA leaves under a handful of shared
 * intermediates, some with the root, some with the key first or last).
 *
 * How it measures: each path reads the whole fleet once to warm the JIT (not counted), then, in alternating
 * rounds so that drift on a shared machine falls on both, reads it again with a fresh reader (empty caches, as
 * at the start of a scan). CPU is process.cpuUsage() user + system over the round, as bench/scan.ts counts it;
 * wall time beside it. The figure is the median round.
 *
 * `measureParseAndEvaluate(pems)` is exported for other benchmarks; run as a script it generates the fleet
 * and prints a table, then reads the hostile entries of issue 16 and smaller ones like them (the cost of one
 * entry must stay bounded, whatever it holds).
 */
import { cpus } from 'node:os';
import { generateAliyunCdnFleet, generateUcloudFleet } from '../emulator/fleet/generate';
import { issueCertificate } from '../emulator/x509/certificate';
import { pooledKey } from '../emulator/x509/keys';
import { evaluate } from '../lib/expiry/evaluate';
import { DEFAULT_STATUS_DAYS, type StatusDays } from '../lib/expiry/status';
import type { ObservedCertificate } from '../lib/model';
import {
  type CertificateChain,
  createPemReader,
  type PemReaderCounts,
  type PemReaderOptions,
} from '../lib/pem/chain';

export interface PathFigures {
  /** Median CPU (user + system) µs per certificate chain. */
  cpuUs: number;
  /** Median wall µs per certificate chain. */
  wallUs: number;
  /** What the reader did in the last timed round. */
  counts: PemReaderCounts;
}

export interface ParseFigures {
  certificates: number;
  rounds: number;
  /** X509Certificate for every certificate, with the issuer cache (the old readPemChain). */
  x509: PathFigures;
  /** The strict DER reader, its issuer and signature caches, X509Certificate as its fallback. */
  der: PathFigures;
}

export interface MeasureOptions {
  nowMs?: number;
  statusDays?: StatusDays;
  /** Timed rounds per path (after one warm-up). Default 3. */
  rounds?: number;
}

/** µs per certificate for parse + evaluate, X509Certificate path and DER path, over the given PEM texts. */
export function measureParseAndEvaluate(pems: readonly string[], options: MeasureOptions = {}): ParseFigures {
  const nowMs = options.nowMs ?? Date.now();
  const statusDays = options.statusDays ?? DEFAULT_STATUS_DAYS;
  const rounds = Math.max(1, options.rounds ?? 3);
  const paths: Record<'x509' | 'der', PemReaderOptions> = {
    x509: { decoder: 'x509' },
    der: { decoder: 'der' },
  };
  const samples = { x509: [] as Sample[], der: [] as Sample[] };
  for (const path of ['x509', 'der'] as const) runRound(pems, paths[path], nowMs, statusDays);
  for (let round = 0; round < rounds; round++) {
    for (const path of ['x509', 'der'] as const)
      samples[path].push(runRound(pems, paths[path], nowMs, statusDays));
  }
  const figures = (path: 'x509' | 'der'): PathFigures => ({
    cpuUs: median(samples[path].map((s) => s.cpuUs)) / pems.length,
    wallUs: median(samples[path].map((s) => s.wallUs)) / pems.length,
    counts: samples[path][rounds - 1]!.counts,
  });
  return { certificates: pems.length, rounds, x509: figures('x509'), der: figures('der') };
}

interface Sample {
  cpuUs: number;
  wallUs: number;
  counts: PemReaderCounts;
}

function runRound(
  pems: readonly string[],
  reader: PemReaderOptions,
  nowMs: number,
  statusDays: StatusDays,
): Sample {
  const { read, counts } = createPemReader(reader);
  let unread = 0;
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  for (const pem of pems) {
    const record = evaluate(observed(read(pem).chain), nowMs, statusDays);
    if (record.status === 'unknown') unread++;
  }
  const wallUs = (performance.now() - wallBefore) * 1000;
  const cpu = process.cpuUsage(cpuBefore);
  if (unread > 0) throw new Error(`${unread} of ${pems.length} chains could not be read`);
  return { cpuUs: cpu.user + cpu.system, wallUs, counts: { ...counts } };
}

function observed(chain: CertificateChain | null): ObservedCertificate {
  return {
    provider: 'bench',
    service: 'parse',
    region: 'local',
    project: null,
    id: 'bench',
    name: 'bench',
    domains: [],
    apiNotAfter: null,
    chain,
    inUse: null,
    boundTo: [],
    notes: [],
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The entries of issue 16 — 800 different CA certificates all named CN=same (none self-signed) after a leaf
 * issued in that name, which cost 19 s of signature checks; 1.1 MB of BEGIN lines with no END, 12.6 s of
 * scanning — and smaller ones that stay under the length bound and so meet the others.
 */
function hostileEntries(nowMs: number): { name: string; pem: string }[] {
  const same = { commonName: 'same' };
  const key = pooledKey('ec', 'bench-hostile');
  const signer = pooledKey('ec', 'bench-hostile-signer');
  const issued = (serial: number, ca: boolean) =>
    issueCertificate({
      subject: ca ? same : { commonName: 'leaf.example' },
      publicKey: key.publicKey,
      issuer: { name: same, privateKey: signer.privateKey },
      serialNumber: BigInt(serial),
      notBefore: nowMs - 86_400_000,
      notAfter: nowMs + 90 * 86_400_000,
      dnsNames: ca ? undefined : ['leaf.example'],
      ca,
    }).pem;
  const sameNamed = [issued(1, false), ...Array.from({ length: 800 }, (_, i) => issued(i + 2, true))];
  const begins = (n: number) => '-----BEGIN CERTIFICATE-----\n'.repeat(n);
  return [
    { name: 'a leaf and 31 certificates named CN=same', pem: sameNamed.slice(0, 32).join('') },
    { name: 'a leaf and 400 certificates named CN=same', pem: sameNamed.slice(0, 401).join('') },
    { name: 'a leaf and 800 certificates named CN=same', pem: sameNamed.join('') },
    { name: '9,000 BEGIN lines with no END', pem: begins(9_000) },
    { name: '40,000 BEGIN lines with no END', pem: begins(40_000) },
  ];
}

/** CPU for one read of each hostile entry with a fresh reader: the median of five, after one untimed. */
function measureHostile(entries: { name: string; pem: string }[]): string[][] {
  for (const { pem } of entries) createPemReader().read(pem);
  return entries.map(({ name, pem }) => {
    const samples: number[] = [];
    let checks = 0;
    let outcome = '';
    for (let round = 0; round < 5; round++) {
      const reader = createPemReader();
      const before = process.cpuUsage();
      const result = reader.read(pem);
      const cpu = process.cpuUsage(before);
      samples.push((cpu.user + cpu.system) / 1000);
      checks = reader.counts.signatureChecks;
      const problem = result.problems[0] ?? '';
      outcome = result.chain
        ? 'a chain'
        : `no chain: ${problem.length > 44 ? `${problem.slice(0, 44)}…` : problem}`;
    }
    return [
      name,
      `${(pem.length / 1024).toFixed(0)} KiB`,
      median(samples).toFixed(2),
      String(checks),
      outcome,
    ];
  });
}

function formatTable(table: string[][]): string {
  const widths = table[0]!.map((_, i) => Math.max(...table.map((line) => line[i]!.length)));
  return table
    .map((line) =>
      line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '),
    )
    .join('\n');
}

const UCLOUD_COUNT = 7_000;
const CDN_COUNT = 3_000;

async function main(): Promise<void> {
  const nowMs = Date.now();
  process.stderr.write(`generating ${UCLOUD_COUNT} UCloud and ${CDN_COUNT} CDN certificate chains...\n`);
  const started = performance.now();
  const pems = [
    ...generateUcloudFleet({
      count: UCLOUD_COUNT,
      seed: 42,
      now: nowMs,
      regions: ['cn-bj2', 'cn-sh2', 'hk'],
      projects: ['org-bench'],
    }).map((certificate) => certificate.SSLContent),
    ...generateAliyunCdnFleet({ count: CDN_COUNT, seed: 42, now: nowMs }).map(
      (certificate) => certificate.HttpsCrt,
    ),
  ];
  process.stderr.write(`generated in ${((performance.now() - started) / 1000).toFixed(1)} s; measuring...\n`);
  const figures = measureParseAndEvaluate(pems, { nowMs });
  const blocks = pems.reduce((sum, pem) => sum + (pem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0), 0);
  const row = (label: string, path: PathFigures) => [
    label,
    path.cpuUs.toFixed(1),
    path.wallUs.toFixed(1),
    String(path.counts.der),
    String(path.counts.x509),
    String(path.counts.cacheHits),
    String(path.counts.signatureChecks),
  ];
  const table = [
    ['path', 'CPU µs/cert', 'wall µs/cert', 'DER reads', 'X509 reads', 'cache hits', 'signature checks'],
    row('X509Certificate (before)', figures.x509),
    row('strict DER reader (now)', figures.der),
  ];
  const hostile = [
    ['hostile entry (issue 16)', 'size', 'CPU ms/read', 'signature checks', 'outcome'],
    ...measureHostile(hostileEntries(nowMs)),
  ];
  process.stdout.write(
    `\nparse + evaluate, ${figures.certificates} certificate chains (${blocks} certificates), ` +
      `node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}\n` +
      `${formatTable(table)}\n\n` +
      `Per chain: readPemChain (PEM blocks, base64, every certificate, chain order) and evaluate().\n` +
      `Median of ${figures.rounds} rounds per path, alternating, each with a fresh reader (empty caches) after ` +
      `one warm-up round; CPU is user + system.\n` +
      `Speed-up: ${(figures.x509.cpuUs / figures.der.cpuUs).toFixed(1)}× less CPU per certificate.\n\n` +
      `${formatTable(hostile)}\n`,
  );
}

// Run as a script (node dist/parse.mjs, tsx bench/parse.ts), not when another benchmark imports the function.
if (/(?:^|[\\/])parse\.(?:mjs|ts)$/.test(process.argv[1] ?? '')) await main();
