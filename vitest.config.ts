import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The fault tests stop servers and load processes: they run on their own afterwards
    // (vitest.faults.config.ts), so their timing bounds are not shared with the rest of the suite.
    exclude: ['test/faults/**', '**/node_modules/**'],
    globalSetup: ['src/test-support/global-setup.ts'],
    // Each file gets its own database cloned from a migrated template, so files run in parallel.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.vitest-report.json' }]] : ['default'],
  },
});
