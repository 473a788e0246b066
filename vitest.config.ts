import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Sums what the fuzz files generated (test/fuzz) into test-output/fuzz-count.txt.
    globalSetup: ['test/fuzz/countSetup.ts'],
  },
});
