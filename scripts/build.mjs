// Bundles the CLI (and the benchmark) with esbuild: one ESM file each, Node 20+.
import { build } from 'esbuild';

const shared = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  logLevel: 'warning',
  // Some dependencies still call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __certwatchRequire } from 'node:module'; const require = __certwatchRequire(import.meta.url);",
  },
};

await build({
  ...shared,
  entryPoints: { certwatch: 'cli/index.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
});
if (process.argv.includes('--bench') || process.env.npm_lifecycle_event === 'bench') {
  await build({
    ...shared,
    entryPoints: { bench: 'bench/ucloud.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.mjs' },
  });
}
