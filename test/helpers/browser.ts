/**
 * The one way the browser test and the screenshot scripts find a Chromium for playwright-core. In order:
 *
 * 1. `CERTWATCH_CHROMIUM`: the path of a Chrome or Chromium executable, or `npm` for the npm package's build only;
 * 2. a Chrome or Chromium on this machine: `SYSTEM_CHROMIUM_NAMES` on PATH, then `MACOS_CHROMIUM_APPS`;
 * 3. the headless Chromium that `@sparticuz/chromium` (a dev dependency) carries inside its npm package, for Linux
 *    x64: decompressed once into node_modules/.cache/certwatch-chromium/VERSION/.
 */
import { randomUUID } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import { type Browser, chromium } from 'playwright-core';

/** Names a browser for the tests and scripts: an executable's path, or `npm` to use the npm package's build only. */
export const CHROMIUM_ENV = 'CERTWATCH_CHROMIUM';

/** Executables of a system browser, looked up on PATH in this order (Debian, Ubuntu/Fedora, Google's packages). */
export const SYSTEM_CHROMIUM_NAMES = [
  'chromium',
  'chromium-browser',
  'google-chrome-stable',
  'google-chrome',
];

/** macOS keeps its browsers in app bundles, which are not on PATH. */
export const MACOS_CHROMIUM_APPS = [
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

const NPM_PACKAGE = '@sparticuz/chromium';

export interface FoundChromium {
  executablePath: string;
  /** Named by CERTWATCH_CHROMIUM, found on this machine, or the npm package's build. */
  source: 'env' | 'system' | 'npm';
  /** One line for a log: which browser, and from where. */
  description: string;
  /** What it must be launched with. */
  args: string[];
}

export interface FindChromiumOptions {
  /** Default process.env: CERTWATCH_CHROMIUM and PATH are read from it. */
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  arch?: string;
  /** Chromium refuses its sandbox as root (CI containers run as root). Default: this process's uid is 0. */
  isRoot?: boolean;
  /** Where the npm build is decompressed. Default node_modules/.cache/certwatch-chromium/VERSION. */
  cacheDir?: string;
}

/** Finds the browser to drive (see the file header for the order); rejects with what to install or set. */
export async function findChromium(options: FindChromiumOptions = {}): Promise<FoundChromium> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const isRoot = options.isRoot ?? process.getuid?.() === 0;
  const systemArgs = isRoot ? ['--no-sandbox'] : [];
  const named = env[CHROMIUM_ENV]?.trim();

  if (named && named !== 'npm') {
    if (!(await isExecutableFile(named))) {
      throw new Error(
        `${CHROMIUM_ENV}=${named} is not an executable file: name a Chrome or Chromium, or unset it`,
      );
    }
    return {
      executablePath: named,
      source: 'env',
      description: `${named} (${CHROMIUM_ENV})`,
      args: systemArgs,
    };
  }
  if (!named) {
    const onMachine = await systemChromium(env.PATH ?? '', platform);
    if (onMachine) {
      return { executablePath: onMachine, source: 'system', description: onMachine, args: systemArgs };
    }
  }
  return npmChromium({ ...options, platform, arch: options.arch ?? process.arch });
}

/** Launches headless Chromium with playwright-core: the one findChromium gives unless one is passed. */
export async function launchChromium(found?: FoundChromium): Promise<Browser> {
  const chosen = found ?? (await findChromium());
  return chromium.launch({ executablePath: chosen.executablePath, args: chosen.args });
}

async function systemChromium(path: string, platform: NodeJS.Platform): Promise<string | undefined> {
  const dirs = path.split(delimiter).filter((dir) => dir !== '');
  const candidates = SYSTEM_CHROMIUM_NAMES.flatMap((name) => dirs.map((dir) => join(dir, name)));
  if (platform === 'darwin') candidates.push(...MACOS_CHROMIUM_APPS);
  for (const candidate of candidates) {
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

async function npmChromium(options: FindChromiumOptions & { platform: string; arch: string }) {
  const nothingElse = `install Chrome or Chromium, or set ${CHROMIUM_ENV} to one`;
  if (options.platform !== 'linux' || options.arch !== 'x64') {
    throw new Error(
      `no Chrome or Chromium found, and ${NPM_PACKAGE} carries one for Linux x64 only ` +
        `(this is ${options.platform} ${options.arch}): ${nothingElse}`,
    );
  }
  let packageDir: string;
  try {
    // The package exports only its code (build/index.js); its browser is in bin/ beside build/.
    packageDir = dirname(dirname(createRequire(import.meta.url).resolve(NPM_PACKAGE)));
  } catch (cause) {
    const missing = `no Chrome or Chromium found, and ${NPM_PACKAGE} is not installed`;
    throw new Error(`${missing}: run npm install, or ${nothingElse}`, { cause });
  }
  const manifest = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8'));
  const version = String(manifest.version);
  const dir = options.cacheDir ?? join(packageDir, '..', '..', '.cache', 'certwatch-chromium', version);
  const executablePath = join(dir, 'chromium');
  let how = 'decompressed earlier';
  if (!(await isExecutableFile(executablePath))) {
    const started = performance.now();
    await decompress(join(packageDir, 'bin', 'chromium.br'), executablePath);
    how = `decompressed in ${((performance.now() - started) / 1000).toFixed(1)} s`;
  }
  return {
    executablePath,
    source: 'npm' as const,
    description: `${NPM_PACKAGE} ${version}, ${executablePath} (${how})`,
    // Built for Lambda, which runs it without a sandbox: it has no setuid helper. It only opens our own pages.
    args: ['--no-sandbox'],
  };
}

/**
 * Brotli → the executable, written beside it under a name of its own and renamed into place, so a test worker or
 * script running at the same moment never sees half a binary. (The package's own executablePath() writes to a fixed
 * /tmp/chromium and returns whatever is there, of any version, finished or not.) The fonts and SwiftShader the
 * package also carries are for Lambda: here the system's fontconfig fonts serve, and nothing needs WebGL.
 */
async function decompress(compressed: string, executablePath: string): Promise<void> {
  await mkdir(dirname(executablePath), { recursive: true });
  const partial = `${executablePath}.${process.pid}-${randomUUID()}.partial`;
  try {
    await pipeline(
      createReadStream(compressed),
      createBrotliDecompress(),
      createWriteStream(partial, { mode: 0o755 }),
    );
    await rename(partial, executablePath);
  } finally {
    await rm(partial, { force: true });
  }
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
