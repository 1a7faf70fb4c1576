// The servers under load, in their own process so the load generator does not share their
// event loop: Brigade itself, a bare Fastify "hello" (framework baseline) and a bare Fastify
// route running the same store query by hand with pg (raw-SQL baseline).
import type { Server } from 'node:net';
import Fastify from 'fastify';
import pino from 'pino';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createAccessTokenIssuer } from '../src/platform/auth/tokens.js';
import { createDatabase, migrate } from '../src/platform/db/index.js';
import { startEmbeddedPostgres } from '../src/platform/db/embedded.js';
import { createModules } from '../src/modules.js';
import { resetDemo } from '../src/demo/seed.js';
import pg from 'pg';

const logger = pino({ level: 'warn' });
// Limits that never bind: the bench measures the machinery's cost, not the limiter's refusals.
const unlimited = '100000000/60';
const config = loadConfig({
  ...process.env,
  NODE_ENV: 'development',
  LOG_LEVEL: 'warn',
  BRIGADE_DATA_DIR: '.brigade/bench',
  RATE_LIMIT_ANONYMOUS: unlimited,
  RATE_LIMIT_USER: unlimited,
  RATE_LIMIT_API_KEY: unlimited,
  RATE_LIMIT_AUTH: unlimited,
});

let url = process.env.DATABASE_URL ?? null;
const embedded = url ? null : await startEmbeddedPostgres({ dataDir: config.dataDir, port: 54349, logger });
url ??= embedded!.url;

// A fresh database per run, so numbers never depend on leftovers.
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query('DROP DATABASE IF EXISTS brigade_bench WITH (FORCE)');
await admin.query('CREATE DATABASE brigade_bench');
await admin.end();
const benchUrl = new URL(url);
benchUrl.pathname = '/brigade_bench';

const database = createDatabase(benchUrl.toString(), { ...config.database, poolMax: 20 }, 'brigade-bench');
await migrate(database.pool);
const tokens = createAccessTokenIssuer({ privateKeyPem: null, dataDir: config.dataDir, issuer: config.auth.issuer, ttlSeconds: config.auth.accessTokenTtlSeconds });
await resetDemo(database.db, createModules({ config, db: database.db, tokens, logger }));

const { app } = await buildApp({ config, database, logger, tokens });
await app.listen({ host: '127.0.0.1', port: 0 });

const bare = Fastify();
bare.get('/hello', async () => ({ status: 'ok' }));
// The same bytes Brigade answers for the demo menu and a menu search, fetched once and replayed
// by a bare route: the baseline for "what does serving this response cost with no machinery".
const replayed = new Map<string, string>();
bare.get('/replay/:name', async (request, reply) => {
  const body = replayed.get((request.params as { name: string }).name);
  return reply.type('application/json; charset=utf-8').send(body ?? '{}');
});
bare.get('/stores/:id', async (request) => {
  const { id } = request.params as { id: string };
  const { rows } = await database.pool.query('SELECT s.*, (SELECT json_agg(h) FROM store_opening_hours h WHERE h.store_id = s.id) AS hours FROM stores s WHERE s.id = $1', [id]);
  return rows[0];
});
await bare.listen({ host: '127.0.0.1', port: 0 });

const address = (server: { server: Server }) => {
  const info = server.server.address();
  return typeof info === 'object' && info ? `http://127.0.0.1:${info.port}` : '';
};
const urls = { brigade: address(app), bare: address(bare) };
const storeId = (await (await fetch(`${urls.brigade}/v1/stores?org=demo-pizzeria`)).json() as { data: Array<{ id: string }> }).data[0]!.id;
replayed.set('menu', await (await fetch(`${urls.brigade}/v1/stores/${storeId}/menu?channel=pickup`)).text());
replayed.set('search', await (await fetch(`${urls.brigade}/v1/stores/${storeId}/menu/search?q=margarita`)).text());
// Under `npm run bench` the parent reads the addresses over IPC; run alone (e.g. with
// --cpu-prof to profile), it prints them and stops on SIGTERM.
if (process.send) process.send(urls);
else process.stdout.write(`${JSON.stringify(urls)}\n`);

const stop = async () => {
  // The load generator cuts its last requests off mid-flight; their handlers then fail
  // against the closed pool. Expected at shutdown, so not worth a log line each.
  logger.level = 'fatal';
  await app.close();
  await bare.close();
  await database.close();
  await embedded?.stop();
  process.exit(0);
};
process.on('message', (message) => {
  if (message === 'stop') void stop();
});
process.once('SIGTERM', () => void stop());
