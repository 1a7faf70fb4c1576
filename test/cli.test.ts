// The `brigade` command end to end, as a deployment runs it: real child processes, a real port,
// real signals. (Bounded polling only; nothing here sleeps for a fixed time to dodge a race.)
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readMigrations } from '../src/platform/db/migrate.js';
import { exitWithin, killAll, spawnBrigade, type BrigadeRun as Run } from '../src/test-support/brigade-process.js';
import { createTestDatabase, type TestDatabase } from '../src/test-support/harness.js';
import { freePort } from '../src/test-support/server.js';
import { waitFor } from '../src/test-support/wait.js';

const children: ChildProcess[] = [];
const tempDirs: string[] = [];

afterEach(() => {
  // A failed assertion must not leave a server running behind the test.
  killAll(children);
});
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

const brigade = (args: string[], env: Record<string, string>): Run => spawnBrigade(args, env, children);

/** Polls until the URL answers (any status), the process dies, or the deadline passes. */
async function waitForAnswer(url: string, run: Run, ms: number): Promise<Response> {
  return waitFor(
    `an answer from ${url}`,
    async () => {
      if (run.child.exitCode !== null)
        throw new Error(`brigade exited with ${run.child.exitCode} before answering:\n${run.output()}`);
      return fetch(url, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
    },
    ms,
    100,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${run.output()}`);
  });
}

function dataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brigade-cli-'));
  tempDirs.push(dir);
  return dir;
}

describe('brigade CLI', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('when "brigade migrate" runs on an empty database, then it applies every migration and exits 0', async () => {
    const run = brigade(['migrate'], {
      DATABASE_URL: db.url,
      BRIGADE_DATA_DIR: dataDir(),
      BRIGADE_DEMO: 'off',
      LOG_LEVEL: 'info',
    });
    const { code } = await exitWithin(run, 45_000);
    expect(code, run.output()).toBe(0);
    expect(run.output()).toContain('migrations applied');
    const { rows } = await db.database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
    expect(rows[0]!.n).toBe((await readMigrations()).length);
  }, 60_000);

  it('when "brigade start" runs, then it becomes live and ready, and SIGTERM stops it with exit code 0', async () => {
    const port = await freePort();
    const data = dataDir();
    const run = brigade(['start'], {
      DATABASE_URL: db.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      BRIGADE_DATA_DIR: data,
      BRIGADE_DEMO: 'off',
      LOG_LEVEL: 'info',
    });

    const live = await waitForAnswer(`http://127.0.0.1:${port}/health/live`, run, 45_000);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });

    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { database: { status: 'ok' }, migrations: { status: 'ok' } },
    });
    // Development with no JWT_PRIVATE_KEY: the signing key went into the data folder.
    expect(fs.existsSync(path.join(data, 'keys', 'jwt-signing-key.pem'))).toBe(true);

    // Not covered here: an in-flight request finishing during shutdown. No route is slow
    // enough to still be running when the signal lands (there is no slow route yet).
    run.child.kill('SIGTERM');
    const { code, signal } = await exitWithin(run, 15_000);
    expect({ code, signal }, run.output()).toEqual({ code: 0, signal: null });
    expect(run.output()).toContain('shutting down');
    await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
  }, 90_000);

  it('when NODE_ENV=production and DATABASE_URL is unset, then it exits non-zero naming DATABASE_URL', async () => {
    const run = brigade(['start'], { NODE_ENV: 'production', BRIGADE_DATA_DIR: dataDir() });
    const { code } = await exitWithin(run, 30_000);
    expect(code).not.toBe(0);
    expect(code).toBe(78);
    expect(run.output()).toContain('DATABASE_URL');
    expect(run.output()).not.toContain('    at ');
  }, 45_000);

  it('when the command is unknown, then it prints the usage and exits 64', async () => {
    const run = brigade(['serve'], { BRIGADE_DATA_DIR: dataDir() });
    const { code } = await exitWithin(run, 30_000);
    expect(code).toBe(64);
    expect(run.output()).toContain('Unknown command "serve"');
    expect(run.output()).toContain('Usage: brigade <command>');
  }, 45_000);
});

describe('tracing', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  interface OtlpSpan {
    traceId: string;
    name: string;
    kind: number;
  }

  it('when an OTLP endpoint is configured, then HTTP, Fastify and pg spans are exported and log lines carry the trace id', async () => {
    // A local OTLP/HTTP collector (the -http exporter sends JSON).
    const spans: OtlpSpan[] = [];
    const unexpected: string[] = [];
    const collector = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        if (request.url !== '/v1/traces') {
          unexpected.push(request.url ?? '');
          response.writeHead(404).end();
          return;
        }
        const payload = JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> };
        for (const resource of payload.resourceSpans)
          for (const scope of resource.scopeSpans) spans.push(...scope.spans);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    try {
      const port = await freePort();
      const run = brigade(['start'], {
        DATABASE_URL: db.url,
        PORT: String(port),
        HOST: '127.0.0.1',
        BRIGADE_DATA_DIR: dataDir(),
        BRIGADE_DEMO: 'off',
        LOG_LEVEL: 'info',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as net.AddressInfo).port}`,
        OTEL_BSP_SCHEDULE_DELAY: '100',
      });
      await waitForAnswer(`http://127.0.0.1:${port}/health/live`, run, 60_000);
      const res = await fetch(`http://127.0.0.1:${port}/v1/stores?limit=5`);
      expect(res.status).toBe(200);

      run.child.kill('SIGTERM');
      expect((await exitWithin(run, 15_000)).code, run.output()).toBe(0);

      const serverSpan = spans.find((span) => span.kind === 2 && span.name.startsWith('GET'));
      expect(serverSpan, JSON.stringify(spans.map((span) => span.name))).toBeDefined();
      const sameTrace = spans.filter((span) => span.traceId === serverSpan!.traceId).map((span) => span.name);
      expect(sameTrace.some((name) => name.startsWith('pg.query') || /SELECT/.test(name))).toBe(true);
      expect(sameTrace.some((name) => /handler|request/.test(name))).toBe(true);

      const requestLog = run
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { msg?: string; trace_id?: string; req?: { url?: string } })
        .find((line) => line.msg === 'incoming request' && line.req?.url === '/v1/stores?limit=5');
      expect(requestLog?.trace_id).toBe(serverSpan!.traceId);
      // Metrics stay on /metrics and logs on stdout: only traces are exported.
      expect(unexpected).toEqual([]);
    } finally {
      collector.closeAllConnections();
      await new Promise((resolve) => collector.close(resolve));
    }
  }, 90_000);
});

describe('process roles', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  const env = (port: number, role: string) => ({
    DATABASE_URL: db.url,
    PORT: String(port),
    HOST: '127.0.0.1',
    BRIGADE_DATA_DIR: dataDir(),
    BRIGADE_DEMO: 'off',
    BRIGADE_ROLE: role,
    OUTBOX_POLL_INTERVAL_MS: '200',
  });

  it('when an api node writes and a separate worker runs, then the worker relays the event; the worker serves health and metrics but no API', async () => {
    const apiPort = await freePort();
    const workerPort = await freePort();
    const api = brigade(['start'], env(apiPort, 'api'));
    const worker = brigade(['start'], env(workerPort, 'worker'));
    const apiBase = `http://127.0.0.1:${apiPort}`;
    const workerBase = `http://127.0.0.1:${workerPort}`;
    await waitForAnswer(`${apiBase}/health/live`, api, 60_000);
    await waitForAnswer(`${workerBase}/health/live`, worker, 60_000);

    // A write on the api node appends an event to the outbox.
    const json = { 'content-type': 'application/json' };
    await fetch(`${apiBase}/v1/auth/register`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email: 'roles@example.test', password: 'a long enough password', name: 'R' }),
    });
    const { access_token: token } = (await (
      await fetch(`${apiBase}/v1/auth/login`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ email: 'roles@example.test', password: 'a long enough password' }),
      })
    ).json()) as { access_token: string };
    const created = await fetch(`${apiBase}/v1/organizations`, {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${token}` },
      body: JSON.stringify({ slug: 'roles-test', name: 'Roles' }),
    });
    expect(created.status).toBe(201);

    // The worker process delivers it (the api role runs no relay).
    await waitFor('the worker to relay the event', async () => {
      const { rows } = await db.database.pool.query<{ state: string }>(
        "SELECT state FROM outbox WHERE type = 'tenancy.organization.created'",
      );
      return rows[0]?.state === 'published';
    });

    expect((await fetch(`${workerBase}/health/ready`)).status).toBe(200);
    const metrics = await (await fetch(`${workerBase}/metrics`)).text();
    expect(metrics).toContain('brigade_outbox_events_published_total');
    expect(metrics).toContain('process_cpu_seconds_total');
    expect((await fetch(`${workerBase}/v1/stores`)).status).toBe(404);

    api.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    expect((await exitWithin(api, 15_000)).code, api.output()).toBe(0);
    expect((await exitWithin(worker, 15_000)).code, worker.output()).toBe(0);
  }, 120_000);
});
