import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// Loaded with require: Vite bundles this file into node_modules/.vite-temp, where a relative import would miss.
const browserScript: typeof import('./scripts/browserScript.cjs') = createRequire(import.meta.url)(
  './scripts/browserScript.cjs',
);

export default defineConfig({
  // The HTML report's browser script, compiled and inlined as scripts/build.mjs does (lib/report/browser).
  plugins: [browserScript.inlineScriptVitePlugin()],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Under Node 20 the AWS SDK warns, in every worker and CLI child that builds a client, that its releases after
    // early January 2027 will need Node 22: the same notice a dozen times between test results. The README says
    // which Node versions certwatch supports; the command and the function still print it once where it applies.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // Sums what the fuzz files generated (test/fuzz) into test-output/fuzz-count.txt.
    globalSetup: ['test/fuzz/countSetup.ts'],
    // `npm test` passes --coverage; a plain `vitest run <files>` (and the Node 22 leg of .ci/run) does not collect.
    coverage: {
      provider: 'v8',
      include: ['lib/**/*.ts', 'cli/**/*.ts', 'functions/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
      // The floor: the whole suite's figures (README, Development) less about 2 points, rounded down. It holds only
      // for the whole suite, which is why a run of some files leaves coverage off.
      thresholds: { statements: 93, branches: 86, functions: 94, lines: 94 },
    },
  },
});
