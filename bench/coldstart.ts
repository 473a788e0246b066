/**
 * `npm run bench:coldstart`: what a cold start of the Lambda costs, and what it uploads, with the build options
 * serverless.yml gives serverless-esbuild. Issue 6's targets: module init ≤ +100 ms over bare `node`, and each
 * function's bundle ≤ 150 KB zipped.
 *
 * The options are read from serverless.yml itself, as osls resolves it (`custom.esbuild`, the scan function's
 * NODE_OPTIONS, every function's handler, the sharded mode's included), and handed to esbuild the way
 * serverless-esbuild does (esbuildOptions below), so the figures cannot drift from the deployment. Every function's bundle is built into one folder and sized as
 * serverless-esbuild's zip would hold it: archiver deflates at zlib level 1 (compress-commons' default), plus 30 +
 * name bytes of local header, 16 of data descriptor and 46 + name of central directory per file, and 22 for the
 * end record. (test/integration/template.test.ts checks the real `osls package` zip.)
 *
 * Then a fresh `node` for every sample, subjects interleaved in rotating order so drift spreads over all of them:
 *   module init   ms since process start when require() of the handler returns: Lambda's Init phase;
 *   ready         after what the first invocation's prepare() adds before it can scan: importing the SSM, SNS
 *                 and DynamoDB clients (which the handler no longer loads at module init), building them, and
 *                 one call each (GetParameters, GetItem, Publish) against a local stub, where the SDK resolves
 *                 credentials, endpoint and signer;
 *   over bare     minus the median point where a bare `node -e` reaches its first line;
 *   CPU           the process's CPU time (user + system) over bare node's at its first line: steadier than wall
 *                 time when other work shares the machine.
 * The environment imitates Lambda's: credentials and region in variables, NODE_PATH to the SDK (this
 * repository's node_modules standing in for /var/runtime/node_modules: our SDK version, page-cached after the
 * warm-up rounds), NODE_OPTIONS as serverless.yml sets it. Lambda runs Node 22 on arm64 with the CPU share of
 * serverless.yml's memorySize; this runs the local `node` (title line): compare the rows, not absolute times.
 *
 * Rows besides the deployed build, for the decisions it embodies:
 *   SDK loaded at module init   the deployed bundle, with the three clients required before it, as the
 *                               handler's top-level imports did until the SDK moved into prepare();
 *   map in the zip              the deployed options plus a source map without sourcesContent and
 *                               NODE_OPTIONS=--enable-source-maps (stack traces with source lines);
 *   unminified, map + sources   minify off and a full map, as serverless.yml had before.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';

const RUNS = Number(process.env.COLDSTART_RUNS ?? 30);
const WARMUP_ROUNDS = 2;
const REPO = fileURLToPath(new URL('..', import.meta.url));
const TARGET_INIT_MS = 100;
const TARGET_ZIP_BYTES = 150 * 1024;

/** What the benchmark needs of serverless.yml. */
interface Service {
  /** `custom.esbuild`, resolved. */
  esbuild: Record<string, unknown>;
  /** NODE_OPTIONS of the scan function ('' when unset). */
  nodeOptions: string;
  /** Function name → its handler's entry file, relative to the repository (`functions/scan.ts`). */
  entries: Map<string, string>;
}

/**
 * serverless.yml as osls resolves it (`osls print`: variables, params and deploy/*.cjs helpers evaluated, no AWS
 * credentials needed), in the sharded mode so that every function the service can deploy is built.
 */
async function readService(): Promise<Service> {
  const { stdout } = await promisify(execFile)(
    'npx',
    ['osls', 'print', '--format', 'json', '--param=mode=sharded'],
    { cwd: REPO, env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '' } },
  );
  const yml = JSON.parse(stdout) as {
    custom?: { esbuild?: Record<string, unknown> };
    provider?: { environment?: Record<string, unknown> };
    functions?: Record<
      string,
      {
        handler?: string;
        esbuildEntrypoint?: string;
        skipEsbuild?: boolean;
        environment?: Record<string, unknown>;
      }
    >;
  };
  const esbuild = yml.custom?.esbuild ?? {};
  if ('config' in esbuild)
    throw new Error('serverless.yml custom.esbuild.config: not supported by this benchmark');
  const entries = new Map<string, string>();
  for (const [name, fn] of Object.entries(yml.functions ?? {})) {
    const handler = fn.esbuildEntrypoint ?? fn.handler;
    if (fn.skipEsbuild || typeof handler !== 'string') continue;
    // serverless-esbuild: `functions/scan.handler` → functions/scan.{ts,js,jsx,tsx} (or .../index.*).
    const base = handler.slice(0, handler.lastIndexOf(extname(handler)));
    const entry = ['.ts', '.js', '.jsx', '.tsx']
      .flatMap((ext) => [`${base}${ext}`, join(base, `index${ext}`)])
      .find((file) => existsSync(join(REPO, file)));
    if (!entry) throw new Error(`serverless.yml function ${name}: no source file for handler ${handler}`);
    entries.set(name, entry);
  }
  const scan = yml.functions?.scan;
  if (!scan || !entries.has('scan')) throw new Error('serverless.yml has no scan function');
  const nodeOptions = scan.environment?.NODE_OPTIONS ?? yml.provider?.environment?.NODE_OPTIONS;
  return { esbuild, nodeOptions: typeof nodeOptions === 'string' ? nodeOptions : '', entries };
}

/** serverless-esbuild's own keys, which it removes before calling esbuild (dist/bundle.js). */
const PLUGIN_KEYS = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
  'plugins',
];

/** `custom.esbuild` (with `overrides`) as serverless-esbuild turns it into esbuild options, its defaults first. */
function esbuildOptions(custom: Record<string, unknown>, overrides: BuildOptions = {}): BuildOptions {
  const merged: Record<string, unknown> = {
    bundle: true,
    platform: 'node',
    external: [],
    exclude: ['aws-sdk'],
    outputFileExtension: '.js',
    ...custom,
  };
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(merged)) if (!PLUGIN_KEYS.includes(key)) options[key] = value;
  const exclude = (merged.exclude as string[]).filter((item) => typeof item === 'string');
  options.external = [...(merged.external as string[]), ...(exclude.includes('*') ? [] : exclude)];
  if (merged.outputFileExtension !== '.js') options.outExtension = { '.js': merged.outputFileExtension };
  const plugins = esbuildPlugins(merged.plugins);
  if (plugins.length > 0) options.plugins = plugins;
  return {
    ...(options as BuildOptions),
    ...overrides,
    absWorkingDir: REPO,
    metafile: true,
    logLevel: 'warning',
  };
}

/** `plugins` as serverless-esbuild reads it: a list, or a file (relative to the service) that exports one. */
function esbuildPlugins(setting: unknown): Plugin[] {
  if (setting === undefined) return [];
  if (Array.isArray(setting)) return setting as Plugin[];
  if (typeof setting !== 'string')
    throw new Error('serverless.yml custom.esbuild.plugins: not a list or a file');
  const loaded: unknown = createRequire(import.meta.url)(join(REPO, setting));
  const plugins = (loaded as { default?: unknown }).default ?? loaded;
  if (typeof plugins === 'function')
    throw new Error('serverless.yml custom.esbuild.plugins: a function is not supported by this benchmark');
  return plugins as Plugin[];
}

interface Built {
  /** Each function's files in the zip (paths relative to the build folder), and their zipped bytes. */
  functions: Map<string, { files: string[]; zipBytes: number }>;
  /** The whole zip serverless-esbuild would upload (all functions' files: one artifact for the service). */
  zipBytes: number;
  rawBytes: number;
  /** The scan handler's bundle, to time. */
  scanPath: string;
  /** Bytes of the scan bundle by package (node_modules) or our own folder. */
  composition: Map<string, number>;
}

async function buildAll(service: Service, overrides: BuildOptions, outdir: string): Promise<Built> {
  const metafiles = new Map<string, Metafile>();
  for (const [name, entry] of service.entries) {
    const options = esbuildOptions(service.esbuild, overrides);
    const result = await build({ ...options, entryPoints: [entry], outdir: join(outdir, dirname(entry)) });
    metafiles.set(name, result.metafile!);
  }
  const files = (await readdir(outdir, { recursive: true, withFileTypes: true }))
    .filter((dirent) => dirent.isFile())
    .map((dirent) => relative(outdir, join(dirent.parentPath, dirent.name)));
  const zipped = new Map<string, { raw: number; zip: number }>();
  for (const file of files) {
    const content = await readFile(join(outdir, file));
    const name = Buffer.byteLength(file);
    zipped.set(file, {
      raw: content.length,
      zip: 30 + name + deflateRawSync(content, { level: 1 }).length + 16 + 46 + name,
    });
  }
  const functions = new Map<string, { files: string[]; zipBytes: number }>();
  for (const [name, metafile] of metafiles) {
    const outputs = Object.keys(metafile.outputs).map((output) => relative(outdir, join(REPO, output)));
    functions.set(name, {
      files: outputs,
      zipBytes: outputs.reduce((sum, file) => sum + (zipped.get(file)?.zip ?? 0), 0),
    });
  }
  const scan = metafiles.get('scan')!;
  const [scanOutput, scanMeta] = Object.entries(scan.outputs).find(([, output]) => output.entryPoint)!;
  const composition = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(scanMeta.inputs)) {
    const key =
      input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? input.split('/').slice(0, 2).join('/');
    composition.set(key, (composition.get(key) ?? 0) + bytesInOutput);
  }
  const sizes = [...zipped.values()];
  return {
    functions,
    zipBytes: 22 + sizes.reduce((sum, size) => sum + size.zip, 0),
    rawBytes: sizes.reduce((sum, size) => sum + size.raw, 0),
    scanPath: join(REPO, scanOutput),
    composition,
  };
}

interface Sample {
  /** ms since process start when the timing script's first line ran. */
  start: number;
  init?: number;
  ready?: number;
  /** process.cpuUsage() in ms: at `start` for bare node, at `init` and `ready` for the others. */
  cpu: number;
  cpuInit?: number;
  /** Modules in require.cache when require() of the handler returned, the timing script not counted. */
  modules?: number;
}

const STUB_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:certwatch-bench';

/**
 * Runs in each fresh process: `node time.cjs HANDLER [preload]`. With `preload`, the three SDK clients are
 * required before the handler, as top-level imports would; their require() is then a cache hit in "ready".
 */
const TIMING_SCRIPT = `'use strict';
const start = performance.now();
const cpuMs = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1000; };
const sdk = () => ({
  ssm: require('@aws-sdk/client-ssm'),
  sns: require('@aws-sdk/client-sns'),
  dynamodb: require('@aws-sdk/client-dynamodb'),
});
if (process.argv[3] === 'preload') sdk();
require(process.argv[2]);
const init = performance.now();
const cpuInit = cpuMs();
const modules = Object.keys(require.cache).length - 1;
(async () => {
  const { ssm, sns, dynamodb } = sdk();
  await new ssm.SSMClient({}).send(new ssm.GetParametersCommand({ Names: ['/certwatch/x'], WithDecryption: true }));
  await new dynamodb.DynamoDBClient({}).send(
    new dynamodb.GetItemCommand({ TableName: 'certwatch', Key: { pk: { S: 'x' } } }),
  );
  await new sns.SNSClient({}).send(new sns.PublishCommand({ TopicArn: '${STUB_TOPIC_ARN}', Message: 'bench' }));
  const ready = performance.now();
  const sample = { start, init, ready, cpu: cpuMs(), cpuInit, modules };
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
function lambdaEnv(endpoint: string, nodeOptions: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    NODE_OPTIONS: nodeOptions,
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
const kb = (bytes: number) => (bytes / 1024).toFixed(0);

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows
    .map((row) =>
      row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '),
    )
    .join('\n');
}

interface Variant {
  name: string;
  overrides: BuildOptions;
  nodeOptions: (deployed: string) => string;
  preloadSdk: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'deployed (serverless.yml)', overrides: {}, nodeOptions: (d) => d, preloadSdk: false },
  { name: 'SDK loaded at module init', overrides: {}, nodeOptions: (d) => d, preloadSdk: true },
  {
    name: 'map in the zip (no sources)',
    overrides: { sourcemap: true, sourcesContent: false },
    nodeOptions: () => '--enable-source-maps',
    preloadSdk: false,
  },
  {
    name: 'unminified, map + sources',
    overrides: {
      minify: false,
      minifyWhitespace: false,
      minifySyntax: false,
      sourcemap: true,
      sourcesContent: true,
    },
    nodeOptions: () => '--enable-source-maps',
    preloadSdk: false,
  },
];

async function main(): Promise<void> {
  const service = await readService();
  const workdir = await mkdtemp(join(tmpdir(), 'certwatch-coldstart-'));
  const stub = createServer(answerStub);
  try {
    const builds = new Map<Variant, Built>();
    const byOverrides = new Map<string, Built>();
    for (const [i, variant] of VARIANTS.entries()) {
      const key = JSON.stringify(variant.overrides);
      if (!byOverrides.has(key))
        byOverrides.set(key, await buildAll(service, variant.overrides, join(workdir, `build-${i}`)));
      builds.set(variant, byOverrides.get(key)!);
    }
    const timingScript = join(workdir, 'time-cold-start.cjs');
    await writeFile(timingScript, TIMING_SCRIPT);
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;

    const bareScript =
      'const start = performance.now(), { user, system } = process.cpuUsage();' +
      'process.stdout.write(JSON.stringify({ start, cpu: (user + system) / 1000 }))';
    const bare = { name: 'bare node -e', args: ['-e', bareScript], env: lambdaEnv(endpoint, '') };
    const subjects = [
      bare,
      ...VARIANTS.map((variant) => ({
        name: variant.name,
        args: [timingScript, builds.get(variant)!.scanPath, ...(variant.preloadSdk ? ['preload'] : [])],
        env: lambdaEnv(endpoint, variant.nodeOptions(service.nodeOptions)),
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

    const bareSamples = samples.get(bare.name)!;
    const bareStart = median(bareSamples.map((s) => s.start));
    const bareCpu = median(bareSamples.map((s) => s.cpu));
    const over = (values: number[], base: number) =>
      `+${ms(median(values) - base)} / +${ms(percentile(values, 90) - base)}`;
    const rows = [
      ['', 'module init', 'ready', 'CPU init', 'CPU ready', 'modules', 'zip KB', 'js+map'],
      ['', 'med / p90', 'med / p90', 'med', 'med', 'at init', 'scan fn', 'KB'],
      [bare.name, `${ms(bareStart)} ms`, '', `${ms(bareCpu)} ms`, '', '', '', ''],
      ...VARIANTS.map((variant) => {
        const built = builds.get(variant)!;
        const list = samples.get(variant.name)!;
        return [
          variant.name,
          over(
            list.map((s) => s.init!),
            bareStart,
          ),
          over(
            list.map((s) => s.ready!),
            bareStart,
          ),
          `+${ms(median(list.map((s) => s.cpuInit!)) - bareCpu)}`,
          `+${ms(median(list.map((s) => s.cpu)) - bareCpu)}`,
          String(list[0]!.modules),
          kb(built.functions.get('scan')!.zipBytes),
          kb(built.rawBytes),
        ];
      }),
    ];

    const deployed = builds.get(VARIANTS[0]!)!;
    const deployedSamples = samples.get(VARIANTS[0]!.name)!;
    const initOver = median(deployedSamples.map((s) => s.init!)) - bareStart;
    const readyOver = median(deployedSamples.map((s) => s.ready!)) - bareStart;
    const largest = Math.max(...[...deployed.functions.values()].map((fn) => fn.zipBytes));
    const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
    const perFunction = [...deployed.functions.entries()]
      .map(([name, fn]) => `${name} ${kb(fn.zipBytes)} KB (${fn.files.join(', ')})`)
      .join('; ');
    const composition = [...deployed.composition.entries()]
      .sort(([, a], [, b]) => b - a)
      .slice(0, 6)
      .map(([what, bytes]) => `${what} ${kb(bytes)}`)
      .join(', ');
    const forge = deployed.composition.get('node-forge');

    process.stdout.write(
      `\ncertwatch cold start, functions/scan.ts (node ${process.version}, ${RUNS} fresh processes a row, ` +
        `interleaved, after ${WARMUP_ROUNDS} warm-up rounds)\n` +
        `${table(rows)}\n\n` +
        `Targets (issue 6): module init +${ms(initOver)} ms over bare node, ≤ +${TARGET_INIT_MS}: ` +
        `${met(initOver <= TARGET_INIT_MS)}; largest function bundle ${kb(largest)} KB zipped, ≤ ` +
        `${kb(TARGET_ZIP_BYTES)}: ${met(largest <= TARGET_ZIP_BYTES)}. Ready to serve +${ms(readyOver)} ms.\n` +
        `Deployed: serverless.yml custom.esbuild ${JSON.stringify(service.esbuild)}, ` +
        `NODE_OPTIONS=${JSON.stringify(service.nodeOptions)}.\n` +
        `Zip ${kb(deployed.zipBytes)} KB for the service: ${perFunction}.\n` +
        `scan bundle by source, KB: ${composition}; node-forge ${forge ? `${kb(forge)} KB: IN THE BUNDLE` : 'absent'}.\n\n` +
        'module init = ms since process start when require() of the handler returned (Lambda Init); ready = after ' +
        "the first invocation's SDK work too (import SSM/SNS/DynamoDB clients, build them, one call each against a " +
        `local stub); both over the median start of a bare \`node -e\` (${ms(bareStart)} ms); p90 likewise. ` +
        `CPU = the process's CPU time at that point, over bare node's (${ms(bareCpu)} ms). modules = require.cache ` +
        'entries after init (SDK files count). zip KB = what the scan function adds to the zip ' +
        '(level-1 deflate + headers, as archiver writes it); js+map = every file of the build.\n',
    );
  } finally {
    stub.close();
    await rm(workdir, { recursive: true, force: true });
  }
}

await main();
