import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The fault suite (issue 21): real api and worker processes, servers stopped and killed under
// load. One file at a time, so each has the machine's two cores to itself.
export default defineConfig({
  test: {
    ...base.test,
    include: ['test/faults/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    maxWorkers: 1,
    testTimeout: 120_000,
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.vitest-faults-report.json' }]] : ['default'],
  },
});
