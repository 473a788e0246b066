/**
 * `npm run bench:coldstart`: should the Lambda bundle carry the AWS SDK v3 (serverless.yml `exclude: []`)
 * or leave `@aws-sdk/*` and `@smithy/*` to the copy the nodejs22.x runtime ships?
 *
 * Builds functions/scan.ts with the options serverless.yml gives serverless-esbuild (cjs, node22, bundle,
 * source map): SDK bundled and SDK external, each plain and minified, and the bundled one again with a map
 * that leaves out sourcesContent. Sizes each zip as serverless-esbuild writes it: the .cjs and its .map,
 * deflated by zlib at its default level, as archiver does. Then starts a fresh `node` for every sample,
 * variants interleaved in rotating order so drift spreads over all of them, and times what a cold start pays
 * before the handler can answer:
 *   require   loading the module, which is what Lambda's Init phase does with the handler file;
 *   clients   `new SSMClient / SNSClient / DynamoDBClient({})`, as the handler's prepare() does;
 *   calls     the first GetParameters, GetItem and Publish, against a local stub (no network), where the
 *             SDK first resolves credentials, endpoint and signer (and would load whatever it loads lazily:
 *             the files column counts modules after require and after the calls);
 *   ready     ms since the process started, at the end of all that; "over bare node" subtracts the point
 *             where a bare `node -e` reaches its first line;
 *   CPU       the process's CPU time (user + system, all threads) at that point: less disturbed than wall
 *             time when other work shares the machine, and closer to what a fraction of a vCPU makes of it.
 * The environment imitates Lambda's: credentials and region in variables, NODE_PATH to the SDK, and
 * NODE_OPTIONS=--enable-source-maps as serverless.yml sets it (the bare row has it too; two rows without it
 * show what it costs).
 *
 * What the local figures stand for, and what they do not:
 * - The external variants take the SDK from this repository's node_modules through NODE_PATH, standing in
 *   for /var/runtime/node_modules (which Lambda puts on NODE_PATH). That is our SDK version, not the
 *   runtime's; and on Lambda it sits on the runtime image's disk, not beside the bundle in /var/task. After
 *   the discarded warm-up rounds every file here is in the page cache, so no row pays for cold reads: on
 *   Lambda the external variant opens a few dozen more files (files column), the bundled one reads
 *   megabytes more of bundle and map (js+map column) and downloads a larger zip before Init even starts.
 * - Lambda runs Node 22 on arm64 with the CPU share of serverless.yml's memorySize (1,769 MB buys one
 *   vCPU); this runs the local `node` (title line). Absolute times differ: compare the rows.
 * - Excluding the SDK also means running whichever SDK version the runtime carries, not the one we test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { build } from 'esbuild';

const RUNS = Number(process.env.COLDSTART_RUNS ?? 30);
const WARMUP_ROUNDS = 2;
const REPO = fileURLToPath(new URL('..', import.meta.url));
/** What the runtime provides (and serverless-esbuild's `exclude` would leave out). */
const SDK_PACKAGES = ['@aws-sdk/*', '@smithy/*'];

interface Build {
  externalSdk: boolean;
  minify: boolean;
  /** esbuild's default (true) embeds every source file in the map; false keeps only the mappings. */
  sourcesContent: boolean;
}

interface Variant extends Build {
  name: string;
  enableSourceMaps: boolean;
}

/** serverless.yml as it stands: SDK bundled, not minified, map with sources, --enable-source-maps. */
const DEPLOYED = { externalSdk: false, minify: false, sourcesContent: true, enableSourceMaps: true };
const AS_DEPLOYED: Variant = { ...DEPLOYED, name: 'SDK bundled (as deployed)' };
const SDK_EXTERNAL: Variant = { ...DEPLOYED, name: 'SDK external', externalSdk: true };
const VARIANTS: Variant[] = [
  AS_DEPLOYED,
  { ...DEPLOYED, name: 'SDK bundled, minified', minify: true },
  SDK_EXTERNAL,
  { ...DEPLOYED, name: 'SDK external, minified', externalSdk: true, minify: true },
  { ...DEPLOYED, name: 'SDK bundled, map without sourcesContent', sourcesContent: false },
  { ...DEPLOYED, name: 'SDK bundled, no --enable-source-maps', enableSourceMaps: false },
  { ...DEPLOYED, name: 'SDK external, no --enable-source-maps', externalSdk: true, enableSourceMaps: false },
];

interface Built {
  /** functions/scan.cjs and its map: what the zip holds. */
  rawBytes: number;
  zipBytes: number;
  /** bench/coldstartHandler.cjs: the same module plus the clients' exports, for timing. */
  timedPath: string;
  timedBytes: number;
}

interface Sample {
  /** ms since process start when the timing script's first line ran. */
  start: number;
  require?: number;
  clients?: number;
  calls?: number;
  ready?: number;
  /** process.cpuUsage() in ms, at `start` for bare node and at `ready` for the others. */
  cpu: number;
  /** Modules in require.cache after require() and after the first calls, the timing script not counted. */
  modulesAfterRequire?: number;
  modulesAfterCalls?: number;
}

/** serverless.yml `custom.esbuild`, as serverless-esbuild hands it to esbuild. */
function buildOptions({ externalSdk, minify, sourcesContent }: Build) {
  return {
    absWorkingDir: REPO,
    bundle: true,
    minify,
    sourcemap: true,
    sourcesContent,
    target: 'node22',
    platform: 'node',
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    external: externalSdk ? SDK_PACKAGES : [],
    logLevel: 'warning',
  } as const;
}

async function buildVariant(variant: Build, outdir: string): Promise<Built> {
  const options = buildOptions(variant);
  await build({ ...options, entryPoints: ['functions/scan.ts'], outdir: join(outdir, 'functions') });
  await build({ ...options, entryPoints: ['bench/coldstartHandler.ts'], outdir });
  const files = ['functions/scan.cjs', 'functions/scan.cjs.map'];
  const contents = await Promise.all(files.map((file) => readFile(join(outdir, file))));
  const timedPath = join(outdir, 'coldstartHandler.cjs');
  return {
    rawBytes: contents.reduce((sum, content) => sum + content.length, 0),
    zipBytes: zipSize(files.map((name, i) => ({ name, content: contents[i]! }))),
    timedPath,
    timedBytes: (await stat(timedPath)).size + (await stat(`${timedPath}.map`)).size,
  };
}

/**
 * Size of a zip holding these files deflated at zlib's default level (archiver's, so serverless-esbuild's):
 * a local header (30 bytes) + name + data and a central directory entry (46 bytes) + name per file, and
 * the 22-byte end record.
 */
function zipSize(files: readonly { name: string; content: Buffer }[]): number {
  let size = 22;
  for (const { name, content } of files) {
    const nameBytes = Buffer.byteLength(name);
    size += 30 + nameBytes + deflateRawSync(content).length + 46 + nameBytes;
  }
  return size;
}

const STUB_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:certwatch-bench';

/** Runs in each fresh process: require, build the clients, make the first calls; prints the times as JSON. */
const TIMING_SCRIPT = `'use strict';
const start = performance.now();
const handlerModule = require(process.argv[2]);
const required = performance.now();
const modulesAfterRequire = Object.keys(require.cache).length - 1;
const ssm = new handlerModule.SSMClient({});
const sns = new handlerModule.SNSClient({});
const dynamodb = new handlerModule.DynamoDBClient({});
const built = performance.now();
(async () => {
  await ssm.send(new handlerModule.GetParametersCommand({ Names: ['/certwatch/x'], WithDecryption: true }));
  await dynamodb.send(new handlerModule.GetItemCommand({ TableName: 'certwatch', Key: { pk: { S: 'x' } } }));
  await sns.send(new handlerModule.PublishCommand({ TopicArn: '${STUB_TOPIC_ARN}', Message: 'bench' }));
  const ready = performance.now();
  const cpu = process.cpuUsage();
  const sample = {
    start,
    require: required - start,
    clients: built - required,
    calls: ready - built,
    ready,
    cpu: (cpu.user + cpu.system) / 1000,
    modulesAfterRequire,
    modulesAfterCalls: Object.keys(require.cache).length - 1,
  };
  process.stdout.write(JSON.stringify(sample), () => process.exit(0));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

/** The three calls' success replies, in each service's protocol (SSM and DynamoDB: JSON; SNS: query/XML). */
function answerStub(request: IncomingMessage, response: ServerResponse): void {
  request.resume();
  request.on('end', () => {
    const target = String(request.headers['x-amz-target'] ?? '');
    if (target === 'AmazonSSM.GetParameters') {
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      response.end('{"Parameters":[],"InvalidParameters":["/certwatch/x"]}');
    } else if (target === 'DynamoDB_20120810.GetItem') {
      response.setHeader('content-type', 'application/x-amz-json-1.0');
      response.end('{}');
    } else if (request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
      response.setHeader('content-type', 'text/xml');
      response.end(
        '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>' +
          '<MessageId>bench</MessageId></PublishResult><ResponseMetadata><RequestId>bench</RequestId>' +
          '</ResponseMetadata></PublishResponse>',
      );
    } else {
      response.statusCode = 400;
      response.end();
    }
  });
}

/** A Lambda-like environment; nothing inherited from ours but PATH, so no profile or proxy leaks in. */
function lambdaEnv(endpoint: string, enableSourceMaps: boolean): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    NODE_OPTIONS: enableSourceMaps ? '--enable-source-maps' : '',
    // Lambda: NODE_PATH=...:/var/runtime/node_modules:/var/runtime:/var/task.
    NODE_PATH: join(REPO, 'node_modules'),
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: 'certwatch-dev-scan',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDCOLDSTARTBENCH',
    AWS_SECRET_ACCESS_KEY: 'coldstart-bench',
    AWS_SESSION_TOKEN: 'coldstart-bench',
    AWS_ENDPOINT_URL: endpoint,
    // The SDK warns once on Node < 22; Lambda's Node 22 does not, so neither should the local node.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

function runNode(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(stdout) as Sample);
      else reject(new Error(`node ${args.join(' ')} exited with ${code}:\n${stderr}`));
    });
  });
}

/** Nearest-rank percentile. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const median = (values: readonly number[]) => percentile(values, 50);
const ms = (value: number) => value.toFixed(1);
const spread = (values: readonly number[]) => `${ms(median(values))} / ${ms(percentile(values, 90))}`;
const kb = (bytes: number) => (bytes / 1024).toFixed(0);

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows
    .map((row) =>
      row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '),
    )
    .join('\n');
}

async function main(): Promise<void> {
  const workdir = await mkdtemp(join(tmpdir(), 'certwatch-coldstart-'));
  const stub = createServer(answerStub);
  try {
    const builds = new Map<string, Built>();
    const buildKey = ({ externalSdk, minify, sourcesContent }: Build) =>
      [externalSdk ? 'external' : 'bundled', minify && 'minified', !sourcesContent && 'mappings-only']
        .filter(Boolean)
        .join('-');
    for (const variant of VARIANTS) {
      const key = buildKey(variant);
      if (!builds.has(key)) builds.set(key, await buildVariant(variant, join(workdir, key)));
    }
    const timingScript = join(workdir, 'time-cold-start.cjs');
    await writeFile(timingScript, TIMING_SCRIPT);
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;

    const bare = {
      name: 'bare node -e',
      args: [
        '-e',
        'const start = performance.now(), { user, system } = process.cpuUsage();' +
          'process.stdout.write(JSON.stringify({ start, cpu: (user + system) / 1000 }))',
      ],
    };
    const subjects = [
      { ...bare, env: lambdaEnv(endpoint, true) },
      ...VARIANTS.map((variant) => ({
        name: variant.name,
        args: [timingScript, builds.get(buildKey(variant))!.timedPath],
        env: lambdaEnv(endpoint, variant.enableSourceMaps),
      })),
    ];
    const samples = new Map<string, Sample[]>(subjects.map((subject) => [subject.name, []]));
    const rounds = WARMUP_ROUNDS + RUNS;
    for (let round = 0; round < rounds; round++) {
      process.stderr.write(`\rround ${round + 1}/${rounds}${round < WARMUP_ROUNDS ? ' (warm-up)' : ''}   `);
      for (let i = 0; i < subjects.length; i++) {
        const subject = subjects[(round + i) % subjects.length]!;
        const sample = await runNode(subject.args, subject.env);
        if (round >= WARMUP_ROUNDS) samples.get(subject.name)!.push(sample);
      }
    }
    process.stderr.write('\n');

    const bareStart = median(samples.get(bare.name)!.map((sample) => sample.start));
    const readyOf = (name: string) => median(samples.get(name)!.map((sample) => sample.ready!));
    const cpuOf = (name: string) => median(samples.get(name)!.map((sample) => sample.cpu));
    const rows = [
      [
        'variant',
        'zip KB',
        'js+map KB',
        'require ms',
        'clients ms',
        '1st calls ms',
        'ready ms',
        'over bare',
        'CPU ms',
        'files',
      ],
      ['', '', '', 'med / p90', 'med / p90', 'med / p90', 'med / p90', 'med', 'med / p90', 'req / calls'],
      [
        bare.name,
        '',
        '',
        '',
        '',
        '',
        spread(samples.get(bare.name)!.map((s) => s.start)),
        '0.0',
        spread(samples.get(bare.name)!.map((s) => s.cpu)),
        '',
      ],
      ...VARIANTS.map((variant) => {
        const built = builds.get(buildKey(variant))!;
        const of = (pick: (sample: Sample) => number) => spread(samples.get(variant.name)!.map(pick));
        const first = samples.get(variant.name)![0]!;
        return [
          variant.name,
          kb(built.zipBytes),
          kb(built.rawBytes),
          of((s) => s.require!),
          of((s) => s.clients!),
          of((s) => s.calls!),
          of((s) => s.ready!),
          `+${ms(readyOf(variant.name) - bareStart)}`,
          of((s) => s.cpu),
          `${first.modulesAfterRequire} / ${first.modulesAfterCalls}`,
        ];
      }),
    ];

    const bundledReady = readyOf(AS_DEPLOYED.name) - bareStart;
    const externalReady = readyOf(SDK_EXTERNAL.name) - bareStart;
    const saving = bundledReady - externalReady;
    const percentLess = (100 * Math.abs(saving)) / Math.max(bundledReady, externalReady);
    const bundledCpu = cpuOf(AS_DEPLOYED.name);
    const externalCpu = cpuOf(SDK_EXTERNAL.name);
    const plus = (value: number) => `+${ms(value)} ms`;
    const readyOverBare = `${plus(bundledReady)} bundled vs ${plus(externalReady)} external over bare node`;
    const cpu = `CPU ${ms(bundledCpu)} vs ${ms(externalCpu)} ms`;
    const zipOf = (variant: Variant) => `${kb(builds.get(buildKey(variant))!.zipBytes)} KB`;
    const noise = Math.max(3, 0.05 * Math.max(bundledReady, externalReady));
    // A wall-time gap that CPU time does not confirm is the machine, not the bundle.
    const verdict =
      Math.abs(saving) < noise || Math.sign(saving) !== Math.sign(bundledCpu - externalCpu)
        ? `no material difference: handler ready ${readyOverBare}, ${cpu}; ` +
          'keep the SDK bundled for the tested version'
        : `${saving > 0 ? 'exclude the SDK' : 'keep the SDK bundled'}: handler ready ` +
          `${ms(Math.abs(saving))} ms sooner (${readyOverBare}, ${ms(percentLess)}% less; ${cpu})`;
    const deployedBuild = builds.get(buildKey(AS_DEPLOYED))!;
    const timedExtra = deployedBuild.timedBytes - deployedBuild.rawBytes;

    process.stdout.write(
      `\ncertwatch cold start, functions/scan.ts (node ${process.version}, ${RUNS} fresh processes a row, ` +
        `interleaved, after ${WARMUP_ROUNDS} warm-up rounds)\n` +
        `${table(rows)}\n\n` +
        `Verdict: ${verdict}; zip ${zipOf(AS_DEPLOYED)} bundled vs ${zipOf(SDK_EXTERNAL)} external.\n\n` +
        `require = loading the module (Lambda's Init); clients = new SSM/SNS/DynamoDB clients; 1st calls = ` +
        `one GetParameters, GetItem, Publish against a local stub; ` +
        `ready = ms since process start after all three.\n` +
        `over bare node = ready minus the median start of a bare \`node -e\` (${ms(bareStart)} ms); ` +
        `CPU = the process's CPU time at ready (bare: at its first line); ` +
        `NODE_OPTIONS=--enable-source-maps unless the row says otherwise.\n` +
        `files = modules in require.cache after require() / after the first calls (the external rows read ` +
        `them from node_modules through NODE_PATH, standing in for /var/runtime/node_modules).\n` +
        `Timed bundle: bench/coldstartHandler.ts, functions/scan.ts plus the clients' exports ` +
        `(${timedExtra >= 0 ? '+' : ''}${(timedExtra / 1024).toFixed(1)} KB over the shipped js+map).\n`,
    );
  } finally {
    stub.close();
    await rm(workdir, { recursive: true, force: true });
  }
}

await main();
