import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.js';

const PEM = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://brigade@db.internal:5432/brigade',
  JWT_PRIVATE_KEY: PEM,
  PAYMENTS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  PII_ENCRYPTION_KEY: Buffer.alloc(32, 8).toString('base64'),
};

/** The ConfigError loadConfig throws for this environment (fails the test when none is thrown). */
function configErrorFor(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('when nothing is set, then it runs in development on the embedded database with a generated key', () => {
    const config = loadConfig({});
    expect(config.nodeEnv).toBe('development');
    expect(config.databaseUrl).toBeNull();
    expect(config.auth.jwtPrivateKey).toBeNull();
    expect(config.port).toBe(3000);
    expect(config.embeddedPostgresPort).toBe(54329);
    expect(config.demo).toBe('auto');
  });

  it('when production has no DATABASE_URL, then a ConfigError names DATABASE_URL', () => {
    const error = configErrorFor({ ...PRODUCTION, DATABASE_URL: '' });
    expect(error.variable).toBe('DATABASE_URL');
    expect(error.message).toContain('DATABASE_URL');
  });

  it('when production has no JWT_PRIVATE_KEY, then a ConfigError names JWT_PRIVATE_KEY', () => {
    const { JWT_PRIVATE_KEY: _unused, ...env } = PRODUCTION;
    const error = configErrorFor(env);
    expect(error.variable).toBe('JWT_PRIVATE_KEY');
    expect(error.message).toContain('JWT_PRIVATE_KEY');
  });

  it('when production has no PAYMENTS_ENCRYPTION_KEY, or one that is not 32 bytes, then a ConfigError names it', () => {
    const { PAYMENTS_ENCRYPTION_KEY: _unused, ...env } = PRODUCTION;
    expect(configErrorFor(env).variable).toBe('PAYMENTS_ENCRYPTION_KEY');
    expect(
      configErrorFor({ ...PRODUCTION, PAYMENTS_ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') }).variable,
    ).toBe('PAYMENTS_ENCRYPTION_KEY');
  });

  it('when production has no PII_ENCRYPTION_KEY, or a key that is not 32 bytes, then a ConfigError names it; retired keys are read as a list', () => {
    const { PII_ENCRYPTION_KEY: _unused, ...env } = PRODUCTION;
    expect(configErrorFor(env).variable).toBe('PII_ENCRYPTION_KEY');
    expect(configErrorFor({ ...PRODUCTION, PII_ENCRYPTION_KEY: 'c2hvcnQ=' }).variable).toBe('PII_ENCRYPTION_KEY');
    expect(configErrorFor({ PII_ENCRYPTION_PREVIOUS_KEYS: 'c2hvcnQ=' }).variable).toBe('PII_ENCRYPTION_PREVIOUS_KEYS');
    const old = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)].map((key) => key.toString('base64'));
    const config = loadConfig({ ...PRODUCTION, PII_ENCRYPTION_PREVIOUS_KEYS: `${old[0]}, ${old[1]}` });
    expect(config.personalData.masterKey).toEqual(Buffer.alloc(32, 8));
    expect(config.personalData.previousKeys).toEqual([Buffer.alloc(32, 1), Buffer.alloc(32, 2)]);
    expect(loadConfig({}).personalData).toEqual({ masterKey: null, previousKeys: [] });
  });

  it('when production asks for the payment sandbox or a crash point, then it is refused naming the variable', () => {
    expect(configErrorFor({ ...PRODUCTION, PAYMENTS_SANDBOX: 'on' }).variable).toBe('PAYMENTS_SANDBOX');
    expect(configErrorFor({ ...PRODUCTION, BRIGADE_CRASH_AT: 'payments.capture.after-provider' }).variable).toBe(
      'BRIGADE_CRASH_AT',
    );
    expect(loadConfig(PRODUCTION).payments.sandbox.enabled).toBe(false);
    expect(loadConfig({ PORT: '4000' }).payments).toMatchObject({
      publicUrl: 'http://localhost:4000',
      sandbox: { enabled: true, url: 'http://127.0.0.1:4000' },
    });
  });

  it('when production has everything it needs, then it loads with demo data off and no CORS origins', () => {
    const config = loadConfig(PRODUCTION);
    expect(config.nodeEnv).toBe('production');
    expect(config.databaseUrl).toBe(PRODUCTION.DATABASE_URL);
    expect(config.auth.jwtPrivateKey).toBe(PEM.trim());
    expect(config.demo).toBe('off');
    expect(config.http.corsOrigins).toBe(false);
  });

  it('when JWT_PRIVATE_KEY arrives with escaped newlines, then they become real newlines', () => {
    const config = loadConfig({ JWT_PRIVATE_KEY: PEM.trim().replace(/\n/g, '\\n') });
    expect(config.auth.jwtPrivateKey).toBe(PEM.trim());
  });

  it('when JWT_PRIVATE_KEY is not a PEM private key, then the error names it', () => {
    expect(configErrorFor({ JWT_PRIVATE_KEY: 'secret' }).variable).toBe('JWT_PRIVATE_KEY');
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '3.5'],
    ['DATABASE_POOL_MAX', '0'],
    ['DATABASE_STATEMENT_TIMEOUT_MS', '5s'],
    ['EMBEDDED_PG_PORT', '80'],
    ['BODY_LIMIT_BYTES', '1e6'],
  ])('when %s is "%s", then the ConfigError names that variable', (name, value) => {
    const error = configErrorFor({ [name]: value });
    expect(error.variable).toBe(name);
    expect(error.message).toContain(name);
    expect(error.message).toContain(value);
  });

  it.each([
    ['NODE_ENV', 'staging'],
    ['BRIGADE_ROLE', 'scheduler'],
    ['LOG_LEVEL', 'verbose'],
    ['BRIGADE_DEMO', 'yes'],
    ['TRUST_PROXY', 'maybe'],
  ])('when %s is "%s", then the ConfigError names that variable and the value', (name, value) => {
    const error = configErrorFor({ [name]: value });
    expect(error.variable).toBe(name);
    expect(error.message).toContain(name);
    expect(error.message).toContain(value);
  });

  it.each([
    ['DATABASE_URL', 'not a url'],
    ['DATABASE_URL', 'mysql://root@localhost/brigade'],
    ['REDIS_URL', 'http://localhost:6379'],
  ])('when %s is "%s", then the ConfigError names that variable', (name, value) => {
    expect(configErrorFor({ [name]: value }).variable).toBe(name);
  });

  it('when integers have surrounding spaces, then they are still read', () => {
    expect(loadConfig({ PORT: ' 8080 ' }).port).toBe(8080);
  });

  it('when CORS_ORIGINS is a comma-separated list, then each origin is trimmed and empty entries dropped', () => {
    const config = loadConfig({ CORS_ORIGINS: 'https://order.example.com, https://admin.example.com,,' });
    expect(config.http.corsOrigins).toEqual(['https://order.example.com', 'https://admin.example.com']);
  });

  it('when CORS_ORIGINS is "*", then every origin is allowed', () => {
    expect(loadConfig({ ...PRODUCTION, CORS_ORIGINS: '*' }).http.corsOrigins).toBe(true);
  });

  it('when CORS_ORIGINS is unset, then development allows any origin and production none', () => {
    expect(loadConfig({}).http.corsOrigins).toBe(true);
    expect(loadConfig(PRODUCTION).http.corsOrigins).toBe(false);
  });

  it('when BRIGADE_DEMO=on in production, then it is refused naming BRIGADE_DEMO', () => {
    const error = configErrorFor({ ...PRODUCTION, BRIGADE_DEMO: 'on' });
    expect(error.variable).toBe('BRIGADE_DEMO');
    expect(error.message).toContain('BRIGADE_DEMO');
  });

  it('when BRIGADE_DEMO=auto in production, then demo data is switched off', () => {
    expect(loadConfig({ ...PRODUCTION, BRIGADE_DEMO: 'auto' }).demo).toBe('off');
  });

  it('when BRIGADE_DEMO=on in development, then it stays on', () => {
    expect(loadConfig({ BRIGADE_DEMO: 'on' }).demo).toBe('on');
  });

  it('when demo data will be seeded and HOST is unset, then the server binds 127.0.0.1; HOST or no demo data binds as told', () => {
    // Demo data: BRIGADE_DEMO=auto on the embedded database, or BRIGADE_DEMO=on.
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ BRIGADE_DEMO: 'on', DATABASE_URL: PRODUCTION.DATABASE_URL }).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ BRIGADE_DEMO: 'on', HOST: '192.168.1.20' }).host).toBe('192.168.1.20');
    // No demo data: every interface, as before.
    expect(loadConfig({ BRIGADE_DEMO: 'off' }).host).toBe('0.0.0.0');
    expect(loadConfig({ DATABASE_URL: PRODUCTION.DATABASE_URL }).host).toBe('0.0.0.0');
    expect(loadConfig(PRODUCTION).host).toBe('0.0.0.0');
  });

  it('when JWT_PREVIOUS_PUBLIC_KEYS holds PEM blocks, then each is kept as a verify-only key; anything else is refused', () => {
    const publicPem = (pem: string) => createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString().trim();
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const both = `${publicPem(PEM)}\n${publicPem(other)}`;
    expect(loadConfig({ JWT_PREVIOUS_PUBLIC_KEYS: both }).auth.jwtPreviousPublicKeys).toEqual([
      publicPem(PEM),
      publicPem(other),
    ]);
    // Escaped newlines, as one-line environments deliver them.
    expect(
      loadConfig({ JWT_PREVIOUS_PUBLIC_KEYS: publicPem(PEM).replace(/\n/g, '\\n') }).auth.jwtPreviousPublicKeys,
    ).toEqual([publicPem(PEM)]);
    expect(loadConfig({}).auth.jwtPreviousPublicKeys).toEqual([]);
    expect(configErrorFor({ JWT_PREVIOUS_PUBLIC_KEYS: 'an old key' }).variable).toBe('JWT_PREVIOUS_PUBLIC_KEYS');
    expect(
      configErrorFor({ JWT_PREVIOUS_PUBLIC_KEYS: '-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----' })
        .variable,
    ).toBe('JWT_PREVIOUS_PUBLIC_KEYS');
  });

  it('when METRICS_TOKEN is set, then it is kept; a short one is refused naming it', () => {
    const token = 'm'.repeat(32);
    expect(loadConfig({ METRICS_TOKEN: token }).http.metricsToken).toBe(token);
    expect(loadConfig({}).http.metricsToken).toBeNull();
    expect(configErrorFor({ METRICS_TOKEN: 'short' }).variable).toBe('METRICS_TOKEN');
  });

  it('when BRIGADE_DATA_DIR is relative, then it is resolved to an absolute path', () => {
    const config = loadConfig({ BRIGADE_DATA_DIR: 'var/brigade' });
    expect(config.dataDir.startsWith('/')).toBe(true);
    expect(config.dataDir.endsWith('/var/brigade')).toBe(true);
  });
});
