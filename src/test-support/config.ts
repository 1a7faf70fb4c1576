// The configuration every test app starts from: test mode, cheap hashes, limits that never get
// in the way (tests of the limits set their own), and a signing key per test file.
import { generateKeyPairSync } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../config/index.js';
import { createAccessTokenIssuer, type AccessTokenIssuer } from '../platform/auth/tokens.js';

/**
 * The personal data master key of every test app and test process: apps and spawned servers on
 * one database (the crash tests) must open each other's data keys, whatever their data folders.
 */
export const TEST_PII_ENCRYPTION_KEY = Buffer.alloc(32, 0x2a).toString('base64');

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    BRIGADE_DATA_DIR: path.join(os.tmpdir(), 'brigade-test-data'),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    // Cheap hashes keep the suite fast; production refuses values this low.
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    // Tests fire bursts (some 50 concurrent) from one address: limits that never get in the way.
    // Tests of the limits themselves set tight ones explicitly (e.g. RATE_LIMIT_USER: '5/60').
    RATE_LIMIT_ANONYMOUS: '1000000/60',
    RATE_LIMIT_USER: '1000000/60',
    RATE_LIMIT_API_KEY: '1000000/60',
    RATE_LIMIT_AUTH: '1000000/60',
    RATE_LIMIT_ACCOUNT_MAIL: '1000000/60',
    RATE_LIMIT_ACCOUNT_MAIL_IP: '1000000/60',
    LOGIN_LOCKOUT_ATTEMPTS: '1000',
    PII_ENCRYPTION_KEY: TEST_PII_ENCRYPTION_KEY,
    // A busy CI machine must not make the app shed the suite's own requests; the shedding
    // tests turn it on explicitly.
    PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
    // Test receivers listen on loopback; the SSRF tests build their own guard without it.
    WEBHOOKS_ALLOWED_NETWORKS: '127.0.0.0/8',
    ...env,
  });
}

/** A fresh in-memory signing key per test file: no key files shared between runs. */
export function testTokens(config: Config): AccessTokenIssuer {
  const { privateKey } = generateKeyPairSync('ed25519');
  return createAccessTokenIssuer({
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    dataDir: config.dataDir,
    issuer: config.auth.issuer,
    ttlSeconds: config.auth.accessTokenTtlSeconds,
  });
}
