import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../db/index.js';
import { createTestDatabase, type TestDatabase } from '../../test-support/harness.js';
import { createBareServer } from '../../test-support/server.js';
import type { App } from './server.js';
import { ConflictError } from './errors.js';
import type { Problem } from './problem.js';

const SECRET = 'SELECT password_hash FROM users WHERE email = $1';

let db: TestDatabase;
let app: App;

beforeAll(async () => {
  db = await createTestDatabase();
  const pool = db.database.pool;
  app = await createBareServer({ env: { BODY_LIMIT_BYTES: '1024' } });

  // Written the way module routes are: a plain Type.Object, no explicit additionalProperties.
  const OrderBody = Type.Object({
    quantity: Type.Integer({ minimum: 1 }),
    channel: Type.Union([Type.Literal('pickup'), Type.Literal('delivery')]),
    note: Type.Optional(Type.String({ maxLength: 5 })),
    tip: Type.Optional(
      Type.Object({ amount: Type.Integer({ minimum: 0 }), currency: Type.String({ pattern: '^[A-Z]{3}$' }) }),
    ),
  });
  app.post('/orders', { config: { access: 'public' }, schema: { body: OrderBody } }, async (request) => ({
    received: request.body,
  }));
  app.get(
    '/stores/:storeId',
    {
      config: { access: 'public' },
      schema: {
        params: Type.Object({ storeId: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ maximum: 100 })) }),
      },
    },
    async () => ({ ok: true }),
  );
  app.get('/boom', { config: { access: 'public' } }, async () => {
    throw new Error(`connection to 10.0.0.7 failed while running ${SECRET}`);
  });
  app.get('/conflict', { config: { access: 'public' } }, async () => {
    throw new ConflictError('ORDER_ALREADY_PLACED', 'This order was already placed.');
  });
  app.get('/pg/undefined-table', { config: { access: 'public' } }, async () => {
    await pool.query('SELECT secret_column FROM no_such_table');
    return {};
  });
  app.post('/pg/unique', { config: { access: 'public' } }, async () => {
    const slug = `dup-${randomUUID().slice(0, 8)}`;
    await pool.query('INSERT INTO organizations (id, slug, name) VALUES ($1, $2, $3)', [randomUUID(), slug, 'First']);
    await pool.query('INSERT INTO organizations (id, slug, name) VALUES ($1, $2, $3)', [randomUUID(), slug, 'Second']);
    return {};
  });
  app.post('/pg/foreign-key', { config: { access: 'public' } }, async () => {
    await pool.query(
      "INSERT INTO stores (id, organization_id, name, address, timezone, currency) VALUES ($1, $2, 'Nowhere', '{}', 'UTC', 'EUR')",
      [randomUUID(), randomUUID()],
    );
    return {};
  });
  app.get('/pg/slow', { config: { access: 'public' } }, async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("SET LOCAL statement_timeout = '50ms'");
      await client.query('SELECT pg_sleep(5)');
      await client.query('COMMIT');
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
    return {};
  });
  app.get('/pg/connection-lost', { config: { access: 'public' } }, async () => {
    // The server ends this very connection while a transaction holds it (as a restart or a
    // failover does): the checked-out client emits 'error', which must not reach the process.
    await inTransaction(db.database.db, async (trx) => {
      await sql`SELECT pg_terminate_backend(pg_backend_pid())`.execute(trx);
    });
    return {};
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

/** Asserts the RFC 9457 envelope and returns the parsed problem. */
function problemOf(res: LightMyRequestResponse, status: number, code: string): Problem {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json<Problem>();
  expect(body).toMatchObject({
    status,
    code,
    type: expect.stringMatching(/^https:\/\/brigade\.dev\/problems\/[a-z-]+$/),
    title: expect.any(String),
  });
  expect(body.request_id).toBe(res.headers['x-request-id']);
  return body;
}

function paths(body: Problem): string[] {
  return [...new Set((body.errors ?? []).map((error) => error.path))].sort();
}

describe('problem details', () => {
  it('when no route matches, then 404 ROUTE_NOT_FOUND names the method and path', async () => {
    const res = await app.inject({ method: 'GET', url: '/no/such/route?x=1' });
    const body = problemOf(res, 404, 'ROUTE_NOT_FOUND');
    expect(body.detail).toBe('There is no GET /no/such/route route.');
  });

  it('when several body fields are invalid at once, then every one of them is listed in errors', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/orders',
      payload: { quantity: 0, channel: 'teleport', note: 'far too long', tip: { amount: -1, currency: 'euro' } },
    });
    const body = problemOf(res, 400, 'VALIDATION_FAILED');
    // Each field once: no duplicate entries for the union's branches.
    expect((body.errors ?? []).map((error) => error.path).sort()).toEqual([
      '/body/channel',
      '/body/note',
      '/body/quantity',
      '/body/tip/amount',
      '/body/tip/currency',
    ]);
    for (const error of body.errors ?? []) expect(error.message).not.toBe('');
  });

  it('when a value is not one of a union of constants, then the error lists the allowed values once', async () => {
    const res = await app.inject({ method: 'POST', url: '/orders', payload: { quantity: 1, channel: 'teleport' } });
    const body = problemOf(res, 400, 'VALIDATION_FAILED');
    expect(body.errors).toEqual([{ path: '/body/channel', message: 'must be one of "pickup", "delivery"' }]);
  });

  it('when required fields are missing, then each missing field is listed by its own path', async () => {
    const res = await app.inject({ method: 'POST', url: '/orders', payload: {} });
    const body = problemOf(res, 400, 'VALIDATION_FAILED');
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { path: '/body/quantity', message: 'is required' },
        { path: '/body/channel', message: 'is required' },
      ]),
    );
  });

  it('when the body carries unknown fields, then they are rejected by name, not silently dropped', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/orders',
      payload: { quantity: 1, channel: 'pickup', is_admin: true, tip: { amount: 1, currency: 'EUR', bonus: 5 } },
    });
    const body = problemOf(res, 400, 'VALIDATION_FAILED');
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { path: '/body/is_admin', message: 'is not an allowed field' },
        { path: '/body/tip/bonus', message: 'is not an allowed field' },
      ]),
    );
  });

  it('when the body is valid, then the handler receives it unchanged', async () => {
    const payload = { quantity: 2, channel: 'delivery', tip: { amount: 100, currency: 'EUR' } };
    const res = await app.inject({ method: 'POST', url: '/orders', payload });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ received: payload });
  });

  it('when path and query parameters are invalid, then errors point into params and querystring', async () => {
    const res = await app.inject({ method: 'GET', url: '/stores/not-a-uuid?limit=500' });
    const body = problemOf(res, 400, 'VALIDATION_FAILED');
    expect(paths(body)).toEqual(['/params/storeId']);
    const query = await app.inject({ method: 'GET', url: `/stores/${randomUUID()}?limit=500` });
    expect(paths(problemOf(query, 400, 'VALIDATION_FAILED'))).toEqual(['/querystring/limit']);
  });

  it('when a body number arrives as a string, then it is refused, not coerced', async () => {
    const res = await app.inject({ method: 'POST', url: '/orders', payload: { quantity: '2', channel: 'pickup' } });
    const body = problemOf(res, 400, 'VALIDATION_FAILED');
    expect(paths(body)).toEqual(['/body/quantity']);
  });

  it('when a query number arrives as text, then it is coerced to the declared type', async () => {
    const res = await app.inject({ method: 'GET', url: `/stores/${randomUUID()}?limit=20` });
    expect(res.statusCode).toBe(200);
  });

  it.each([
    ['a body string', { quantity: 1, channel: 'pickup', note: 'a\u0000b' }, '/body/note'],
    [
      'a nested body string',
      { quantity: 1, channel: 'pickup', tip: { amount: 1, currency: 'E\u0000R' } },
      '/body/tip/currency',
    ],
    ['a body field name', { quantity: 1, channel: 'pickup', 'x\u0000': 1 }, '/body/x\u0000'],
  ])(
    'when %s holds U+0000, then 400 names the field before anything reaches the database',
    async (_, payload, path) => {
      const res = await app.inject({ method: 'POST', url: '/orders', payload });
      const body = problemOf(res, 400, 'VALIDATION_FAILED');
      expect(body.errors).toEqual([{ path, message: 'must not contain U+0000' }]);
    },
  );

  it('when a query string holds U+0000, then 400 VALIDATION_FAILED', async () => {
    const res = await app.inject({ method: 'GET', url: `/stores/${randomUUID()}?limit=1%00` });
    expect(paths(problemOf(res, 400, 'VALIDATION_FAILED'))).toEqual(['/querystring/limit']);
  });

  it('when the path holds a malformed percent-encoding, then 400 MALFORMED_URL without echoing it', async () => {
    const res = await app.inject({ method: 'GET', url: '/stores/%E0%A4%A' });
    const body = problemOf(res, 400, 'MALFORMED_URL');
    expect(JSON.stringify(body)).not.toContain('%E0');
  });

  it('when a path parameter is over 100 characters, then 414 URI_TOO_LONG as a problem', async () => {
    const res = await app.inject({ method: 'GET', url: `/stores/${'a'.repeat(101)}` });
    const body = problemOf(res, 414, 'URI_TOO_LONG');
    expect(JSON.stringify(body)).not.toContain('aaaa');
  });

  it('when the JSON is malformed, then 400 MALFORMED_REQUEST', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'content-type': 'application/json' },
      payload: '{"quantity": 1,',
    });
    problemOf(res, 400, 'MALFORMED_REQUEST');
  });

  it('when the body says JSON but is empty, then 400 MALFORMED_REQUEST', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    problemOf(res, 400, 'MALFORMED_REQUEST');
  });

  it('when the content type is not JSON, then 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'content-type': 'text/plain' },
      payload: 'quantity=1',
    });
    problemOf(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('when the body is over the configured limit, then 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/orders',
      payload: { quantity: 1, channel: 'pickup', note: 'x'.repeat(2048) },
    });
    problemOf(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('when a service throws an AppError, then its status and code are kept', async () => {
    const body = problemOf(await app.inject({ method: 'GET', url: '/conflict' }), 409, 'ORDER_ALREADY_PLACED');
    expect(body.detail).toBe('This order was already placed.');
  });

  it('when a handler throws an unexpected error, then 500 INTERNAL_ERROR reveals no message, stack or SQL', async () => {
    const res = await app.inject({ method: 'GET', url: '/boom' });
    const body = problemOf(res, 500, 'INTERNAL_ERROR');
    expect(Object.keys(body).sort()).toEqual(['code', 'detail', 'request_id', 'status', 'title', 'type']);
    for (const leak of ['password_hash', 'SELECT', '10.0.0.7', 'connection to', 'at ', '.ts', 'stack'])
      expect(res.body).not.toContain(leak);
  });

  it('when PostgreSQL rejects a query for an internal reason, then 500 without the SQL or table names', async () => {
    const res = await app.inject({ method: 'GET', url: '/pg/undefined-table' });
    problemOf(res, 500, 'INTERNAL_ERROR');
    for (const leak of ['no_such_table', 'secret_column', 'SELECT', 'relation']) expect(res.body).not.toContain(leak);
  });

  it('when PostgreSQL reports a unique violation, then 409 CONFLICT', async () => {
    const res = await app.inject({ method: 'POST', url: '/pg/unique' });
    const body = problemOf(res, 409, 'CONFLICT');
    expect(res.body).not.toContain('organizations_slug_key');
    expect(body.detail).not.toContain('dup-');
  });

  it('when PostgreSQL reports a foreign key violation, then 422 REFERENCE_NOT_FOUND', async () => {
    const res = await app.inject({ method: 'POST', url: '/pg/foreign-key' });
    problemOf(res, 422, 'REFERENCE_NOT_FOUND');
    expect(res.body).not.toContain('stores_organization_id_fkey');
  });

  it('when a statement exceeds statement_timeout, then 503 DATABASE_TIMEOUT with Retry-After', async () => {
    const started = Date.now();
    const res = await app.inject({ method: 'GET', url: '/pg/slow' });
    problemOf(res, 503, 'DATABASE_TIMEOUT');
    expect(res.headers['retry-after']).toBe('1');
    // The server cancelled pg_sleep(5): the timeout, not the sleep, ended the request.
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('when the database drops the connection under a transaction, then 503 DATABASE_UNAVAILABLE and the process lives on', async () => {
    const res = await app.inject({ method: 'GET', url: '/pg/connection-lost' });
    problemOf(res, 503, 'DATABASE_UNAVAILABLE');
    expect(res.headers['retry-after']).toBe('2');
    // The pool discarded the dead client: the next query gets a fresh connection.
    const next = await db.database.pool.query<{ one: number }>('SELECT 1 AS one');
    expect(next.rows[0]?.one).toBe(1);
  });
});
