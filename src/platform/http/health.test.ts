import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.js';
import { createTestApp, testConfig, testTokens, type TestApp } from '../../test-support/harness.js';
import { createDatabase } from '../db/index.js';

interface Readiness {
  status: 'ready' | 'not_ready';
  checks: Record<string, { status: 'ok' | 'failing'; detail?: string }>;
}

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function redisClient(url: string): Redis {
  // The same options main.ts uses, so the check behaves as it does in production.
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  cleanups.push(async () => {
    redis.disconnect();
  });
  return redis;
}

async function appWithRedis(redis: Redis): Promise<TestApp> {
  const app = await createTestApp({}, { redis });
  cleanups.push(() => app.close());
  return app;
}

describe('health', () => {
  it('when the process is up, then /health/live is 200 and never cached', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/live' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('when the database is reachable and migrated, then /health/ready is 200 with each check ok', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ready',
      checks: { database: { status: 'ok' }, migrations: { status: 'ok' } },
    });
  });

  it('when a migration is pending, then /health/ready is 503 naming migrations', async () => {
    const pool = t.db.database.pool;
    const { rows } = await pool.query<{ version: number; name: string; checksum: string }>(
      'DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations) RETURNING version, name, checksum',
    );
    try {
      const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      const body = res.json<Readiness>();
      expect(body.status).toBe('not_ready');
      expect(body.checks.database).toEqual({ status: 'ok' });
      expect(body.checks.migrations).toEqual({
        status: 'failing',
        detail: '1 migration(s) pending: run "brigade migrate"',
      });
    } finally {
      const row = rows[0]!;
      await pool.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        row.version,
        row.name,
        row.checksum,
      ]);
    }
    expect((await t.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
  });

  it('when REDIS_URL points at a closed port, then /health/ready is 503 naming redis without connection details', async () => {
    const app = await appWithRedis(redisClient('redis://127.0.0.1:1'));
    const res = await app.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(503);
    const body = res.json<Readiness>();
    expect(body.checks.redis?.status).toBe('failing');
    expect(body.checks.database).toEqual({ status: 'ok' });
    expect(res.body).not.toContain('127.0.0.1');
    expect(res.body).not.toContain('ECONNREFUSED');
  });

  it.runIf(!!process.env.REDIS_URL)(
    'when the real REDIS_URL answers, then /health/ready reports redis ok',
    async () => {
      const app = await appWithRedis(redisClient(process.env.REDIS_URL!));
      const res = await app.app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(200);
      expect(res.json<Readiness>().checks).toEqual({
        database: { status: 'ok' },
        migrations: { status: 'ok' },
        redis: { status: 'ok' },
      });
    },
  );

  it('when the database is unreachable, then /health/ready is 503 naming database and migrations, and live stays 200', async () => {
    const config = testConfig();
    const database = createDatabase('postgres://postgres@127.0.0.1:1/brigade', {
      poolMax: 1,
      statementTimeoutMs: 1000,
      connectTimeoutMs: 500,
    });
    const { app } = await buildApp({ config, database, logger: pino({ level: 'silent' }), tokens: testTokens(config) });
    cleanups.push(async () => {
      await app.close();
      await database.close();
    });
    const res = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json<Readiness>().checks).toEqual({
      database: { status: 'failing', detail: 'database not reachable' },
      migrations: { status: 'failing', detail: 'could not read the schema version' },
    });
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  });
});
