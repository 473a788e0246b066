// Bundles the CLI (and, with --bench, the benchmark; with --local, the invoke-local script) with esbuild: one ESM file each, for Node 20 and 22.
//   node scripts/build.mjs [--bench] [--local] [--outdir DIR]
import { build } from 'esbuild';
import browserScript from './browserScript.cjs';

const args = process.argv.slice(2);
const outdirIndex = args.indexOf('--outdir');
const outdir = outdirIndex >= 0 ? args[outdirIndex + 1] : 'dist';

const entryPoints = { certwatch: 'cli/index.ts' };
if (args.includes('--bench')) entryPoints.bench = 'bench/scan.ts';
if (args.includes('--local')) entryPoints['invoke-local'] = 'scripts/invokeLocal.ts';

await build({
  entryPoints,
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  logLevel: 'warning',
  // The HTML report's browser script, compiled and inlined (lib/report/browser).
  plugins: [browserScript.inlineScriptEsbuildPlugin],
  // The AWS SDK still calls require() for Node built-ins; an ESM bundle has to provide one.
  banner: {
    js: "import { createRequire as __certwatchRequire } from 'node:module'; const require = __certwatchRequire(import.meta.url);",
  },
});
