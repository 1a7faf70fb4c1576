// Lints the OpenAPI document against .spectral.yaml (spectral:oas + the OWASP API security
// ruleset) and fails on any error. The document is the one /openapi.json serves: the real app,
// built as the tests build it, asked through inject. No database is needed: the pool connects
// lazily and generating the document runs no query. Usage: npm run lint:openapi [-- --json]
// (--json: every finding, warnings included, as Spectral's JSON).
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { createAccessTokenIssuer } from '../src/platform/auth/tokens.js';
import { createDatabase } from '../src/platform/db/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'brigade-openapi-'));

async function openApiDocument(): Promise<string> {
  const config = loadConfig({ NODE_ENV: 'test', BRIGADE_DATA_DIR: scratch, LOG_LEVEL: 'silent' });
  const { privateKey } = generateKeyPairSync('ed25519');
  const tokens = createAccessTokenIssuer({
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    dataDir: config.dataDir,
    issuer: config.auth.issuer,
    ttlSeconds: config.auth.accessTokenTtlSeconds,
  });
  // Never connected: nothing below queries it.
  const database = createDatabase('postgres://brigade@127.0.0.1:1/openapi', config.database, 'brigade-openapi');
  const { app } = await buildApp({ config, database, logger: pino({ level: 'silent' }), tokens });
  try {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    if (res.statusCode !== 200) throw new Error(`/openapi.json answered ${res.statusCode}: ${res.body}`);
    return res.body;
  } finally {
    await app.close();
    await database.close();
  }
}

try {
  const file = path.join(scratch, 'openapi.json');
  writeFileSync(file, await openApiDocument());
  const spectral = path.join(root, 'node_modules', '.bin', 'spectral');
  // Warnings (string-restricted and the like) are listed with --json only; errors fail the lint.
  const format = process.argv.includes('--json') ? ['--format', 'json', '--quiet'] : ['--display-only-failures'];
  const run = spawnSync(
    spectral,
    ['lint', file, '--ruleset', path.join(root, '.spectral.yaml'), '--fail-severity', 'error', ...format],
    { stdio: 'inherit', cwd: root },
  );
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
