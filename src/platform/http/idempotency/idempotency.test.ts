import { randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAccessControl } from '../../auth/access.js';
import { inTransaction, onAnotherConnection } from '../../db/index.js';
import { createTestApp, testConfig, type TestApp } from '../../../test-support/harness.js';
import { bearer, createUser, customer, signIn } from '../../../test-support/identity-factories.js';
import { createOrganization, organizationWithStore } from '../../../test-support/tenancy-factories.js';
import { AppError, ConflictError } from '../errors.js';
import { canonicalJson, purgeExpiredIdempotencyKeys, registerIdempotency, requestFingerprint } from './index.js';
import { createServer } from '../server.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const key = () => randomUUID();
const withKey = (token: string, idempotencyKey: string) => ({ ...bearer(token), 'idempotency-key': idempotencyKey });
const storesUrl = (organizationId: string) => `/v1/organizations/${organizationId}/stores`;
const storeBody = (name = 'Pasta Place') => ({
  name,
  address: { line1: 'Torstraße 1', city: 'Berlin', postal_code: '10119', country: 'DE' },
  timezone: 'Europe/Berlin',
  currency: 'EUR',
});

async function count(query: string, params: unknown[]): Promise<number> {
  const { rows } = await t.db.database.pool.query<{ n: number }>(query, params);
  return rows[0]!.n;
}
const storesOf = (organizationId: string) =>
  count('SELECT count(*)::int AS n FROM stores WHERE organization_id = $1', [organizationId]);
const keysOf = (caller: string) => count('SELECT count(*)::int AS n FROM idempotency_keys WHERE caller = $1', [caller]);

/** The state a process leaves behind when it dies after claiming a key: a claim, no response. */
async function insertClaim(row: {
  caller: string;
  path: string;
  key: string;
  body: unknown;
  claimedSecondsAgo: number;
}) {
  await t.db.database.pool.query(
    `INSERT INTO idempotency_keys (caller, method, path, key, fingerprint, claim_token, claimed_at, expires_at)
     VALUES ($1, 'POST', $2, $3, $4, $5, now() - make_interval(secs => $6), now() + interval '1 day')`,
    [row.caller, row.path, row.key, requestFingerprint(row.body), randomUUID(), row.claimedSecondsAgo],
  );
}

const isReplay = (res: LightMyRequestResponse) => res.headers['idempotent-replayed'] === 'true';

describe('idempotency keys on create routes', () => {
  it('when 50 identical requests with one key arrive at once, then exactly one store is created and each caller gets that 201 body or 409 IDEMPOTENCY_IN_PROGRESS', async () => {
    const organization = await createOrganization(t);
    const idempotencyKey = key();
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        t.app.inject({
          method: 'POST',
          url: storesUrl(organization.id),
          headers: withKey(organization.owner.token, idempotencyKey),
          payload: storeBody(),
        }),
      ),
    );

    expect(await storesOf(organization.id)).toBe(1);
    const created = responses.filter((res) => res.statusCode === 201);
    const originals = created.filter((res) => !isReplay(res));
    expect(originals).toHaveLength(1);
    for (const res of created) expect(res.body).toBe(originals[0]!.body);
    const others = responses.filter((res) => res.statusCode !== 201);
    for (const res of others) {
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe('IDEMPOTENCY_IN_PROGRESS');
      expect(res.headers['retry-after']).toBe('1');
    }

    const later = await t.app.inject({
      method: 'POST',
      url: storesUrl(organization.id),
      headers: withKey(organization.owner.token, idempotencyKey),
      payload: storeBody(),
    });
    expect(later.statusCode).toBe(201);
    expect(later.body).toBe(originals[0]!.body);
    expect(await storesOf(organization.id)).toBe(1);
  });

  it('when a completed request is retried with the same key and body, then the response is replayed byte for byte with Idempotent-Replayed: true', async () => {
    const user = await customer(t);
    const idempotencyKey = key();
    const slug = `brand-${randomUUID().slice(0, 8)}`;
    const send = (payload: object) =>
      t.app.inject({ method: 'POST', url: '/v1/organizations', headers: withKey(user.token, idempotencyKey), payload });

    const first = await send({ slug, name: 'Brand' });
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    // The same request, its fields in another order: the fingerprint is of the canonical body.
    for (const replay of [await send({ slug, name: 'Brand' }), await send({ name: 'Brand', slug })]) {
      expect(replay.statusCode).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.rawPayload.equals(first.rawPayload)).toBe(true);
      expect(replay.body).toBe(first.body);
      for (const header of ['content-type', 'content-length', 'location', 'etag', 'cache-control']) {
        expect(replay.headers[header], header).toBe(first.headers[header]);
      }
      expect(replay.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    }
    expect(await count('SELECT count(*)::int AS n FROM organizations WHERE slug = $1', [slug])).toBe(1);

    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/^idempotency_replays_total\{route="\/v1\/organizations"\} [1-9]\d*$/m);
  });

  it('when a key is reused with another body, then 422 IDEMPOTENCY_KEY_REUSED and nothing more is created', async () => {
    const { organization, store } = await organizationWithStore(t);
    const idempotencyKey = key();
    const url = `/v1/stores/${store.id}/tables`;
    const first = await t.app.inject({
      method: 'POST',
      url,
      headers: withKey(organization.owner.token, idempotencyKey),
      payload: { label: 'Window 1' },
    });
    expect(first.statusCode).toBe(201);

    const reused = await t.app.inject({
      method: 'POST',
      url,
      headers: withKey(organization.owner.token, idempotencyKey),
      payload: { label: 'Window 2' },
    });
    expect(reused.statusCode).toBe(422);
    expect(reused.headers['content-type']).toContain('application/problem+json');
    expect(reused.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
    // Defaults do not blur the fingerprint: seats: 2 is the default, but it was not sent.
    const withDefault = await t.app.inject({
      method: 'POST',
      url,
      headers: withKey(organization.owner.token, idempotencyKey),
      payload: { label: 'Window 1', seats: 2 },
    });
    expect(withDefault.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await count('SELECT count(*)::int AS n FROM dining_tables WHERE store_id = $1', [store.id])).toBe(2);
  });

  it('when a request fails validation, then nothing is stored and the key can then be used for a valid request', async () => {
    const organization = await createOrganization(t);
    const idempotencyKey = key();
    const invalid = await t.app.inject({
      method: 'POST',
      url: storesUrl(organization.id),
      headers: withKey(organization.owner.token, idempotencyKey),
      payload: { ...storeBody(), currency: 'euro' },
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().code).toBe('VALIDATION_FAILED');
    expect(await keysOf(`user:${organization.owner.user.id}`)).toBe(0);

    const valid = await t.app.inject({
      method: 'POST',
      url: storesUrl(organization.id),
      headers: withKey(organization.owner.token, idempotencyKey),
      payload: storeBody(),
    });
    expect(valid.statusCode).toBe(201);
    expect(isReplay(valid)).toBe(false);
  });

  it('when a request is refused as unauthenticated (401) or forbidden (403), then nothing is stored and the key stays usable', async () => {
    const organization = await createOrganization(t);
    const idempotencyKey = key();
    const anonymous = await t.app.inject({
      method: 'POST',
      url: storesUrl(organization.id),
      headers: { 'idempotency-key': idempotencyKey },
      payload: storeBody(),
    });
    expect(anonymous.statusCode).toBe(401);

    const person = await createUser(t);
    const forbidden = await t.app.inject({
      method: 'POST',
      url: storesUrl(organization.id),
      headers: withKey(await signIn(t, person), idempotencyKey),
      payload: storeBody(),
    });
    expect(forbidden.statusCode).toBe(403);
    expect(await count('SELECT count(*)::int AS n FROM idempotency_keys WHERE key = $1', [idempotencyKey])).toBe(0);

    // Made a manager, the same person retries with the same key: it runs (no replayed 403).
    await t.modules.identity.api.grantRole(t.db.database.db, {
      userId: person.id,
      organizationId: organization.id,
      storeId: null,
      role: 'manager',
    });
    const allowed = await t.app.inject({
      method: 'POST',
      url: storesUrl(organization.id),
      headers: withKey(await signIn(t, person), idempotencyKey),
      payload: storeBody(),
    });
    expect(allowed.statusCode).toBe(201);
    expect(isReplay(allowed)).toBe(false);
  });

  it('when two callers use the same key, or one caller uses it on two stores, then each is its own operation', async () => {
    const idempotencyKey = 'order-1';
    const [alice, bob] = [await customer(t), await customer(t)];
    const found = (token: string, slug: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/organizations',
        headers: withKey(token, idempotencyKey),
        payload: { slug, name: slug },
      });
    const a = await found(alice.token, `alice-${randomUUID().slice(0, 8)}`);
    const b = await found(bob.token, `bob-${randomUUID().slice(0, 8)}`);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect([isReplay(a), isReplay(b)]).toEqual([false, false]);
    expect(b.json().id).not.toBe(a.json().id);

    const { organization, store } = await organizationWithStore(t);
    const other = await t.app.inject({
      method: 'POST',
      url: storesUrl(organization.id),
      headers: bearer(organization.owner.token),
      payload: storeBody('Second'),
    });
    const addTable = (storeId: string) =>
      t.app.inject({
        method: 'POST',
        url: `/v1/stores/${storeId}/tables`,
        headers: withKey(organization.owner.token, idempotencyKey),
        payload: { label: 'Patio' },
      });
    const first = await addTable(store.id);
    const second = await addTable(other.json().id);
    expect([first.statusCode, second.statusCode]).toEqual([201, 201]);
    expect(second.json().store_id).toBe(other.json().id);
  });

  it('when a claim is younger than the claim timeout, then a retry gets 409 IDEMPOTENCY_IN_PROGRESS and runs nothing', async () => {
    const organization = await createOrganization(t);
    const idempotencyKey = key();
    await insertClaim({
      caller: `user:${organization.owner.user.id}`,
      path: storesUrl(organization.id),
      key: idempotencyKey,
      body: storeBody(),
      claimedSecondsAgo: 5,
    });
    const res = await t.app.inject({
      method: 'POST',
      url: storesUrl(organization.id),
      headers: withKey(organization.owner.token, idempotencyKey),
      payload: storeBody(),
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'IDEMPOTENCY_IN_PROGRESS', status: 409 });
    expect(await storesOf(organization.id)).toBe(0);
  });

  it('when the process holding a claim died, then after the claim timeout exactly one of several concurrent retries takes it over and runs', async () => {
    const organization = await createOrganization(t);
    const idempotencyKey = key();
    const caller = `user:${organization.owner.user.id}`;
    await insertClaim({
      caller,
      path: storesUrl(organization.id),
      key: idempotencyKey,
      body: storeBody(),
      claimedSecondsAgo: t.config.idempotency.claimTimeoutSeconds + 1,
    });

    // Another body does not get to take over the dead claim.
    const other = await t.app.inject({
      method: 'POST',
      url: storesUrl(organization.id),
      headers: withKey(organization.owner.token, idempotencyKey),
      payload: storeBody('Other'),
    });
    expect(other.json().code).toBe('IDEMPOTENCY_KEY_REUSED');

    const retries = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.app.inject({
          method: 'POST',
          url: storesUrl(organization.id),
          headers: withKey(organization.owner.token, idempotencyKey),
          payload: storeBody(),
        }),
      ),
    );
    expect(await storesOf(organization.id)).toBe(1);
    const ran = retries.filter((res) => res.statusCode === 201 && !isReplay(res));
    expect(ran).toHaveLength(1);
    for (const res of retries) {
      if (res.statusCode === 201) expect(res.body).toBe(ran[0]!.body);
      else expect(res.json().code).toBe('IDEMPOTENCY_IN_PROGRESS');
    }
    const { rows } = await t.db.database.pool.query(
      'SELECT response_status FROM idempotency_keys WHERE caller = $1 AND key = $2',
      [caller, idempotencyKey],
    );
    expect(rows).toEqual([{ response_status: 201 }]);
  });

  it('when the key is malformed, then 400 INVALID_IDEMPOTENCY_KEY and nothing runs', async () => {
    const organization = await createOrganization(t);
    for (const bad of ['', 'x'.repeat(256), 'schlüssel']) {
      const res = await t.app.inject({
        method: 'POST',
        url: storesUrl(organization.id),
        headers: withKey(organization.owner.token, bad),
        payload: storeBody(),
      });
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      expect(res.json().code).toBe('INVALID_IDEMPOTENCY_KEY');
    }
    const longest = await t.app.inject({
      method: 'POST',
      url: storesUrl(organization.id),
      headers: withKey(organization.owner.token, 'k'.repeat(255)),
      payload: storeBody(),
    });
    expect(longest.statusCode).toBe(201);
    expect(await storesOf(organization.id)).toBe(1);
  });

  it('when the OpenAPI document is read, then the opted-in routes document the header and the 409/422 problems, and secret-bearing routes do not opt in', async () => {
    type Operation = {
      parameters?: Array<{ in: string; name: string; required?: boolean; description?: string }>;
      responses: Record<string, { description?: string }>;
    };
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, Operation>>;
    }>();
    for (const path of [
      '/v1/organizations',
      '/v1/organizations/{organizationId}/stores',
      '/v1/stores/{storeId}/tables',
    ]) {
      const operation = doc.paths[path]!.post!;
      const header = operation.parameters?.find(
        (parameter) => parameter.in === 'header' && parameter.name === 'idempotency-key',
      );
      expect(header, path).toBeDefined();
      expect(header?.required ?? false).toBe(false);
      expect(operation.responses['409']?.description).toContain('IDEMPOTENCY_IN_PROGRESS');
      expect(operation.responses['422']?.description).toContain('IDEMPOTENCY_KEY_REUSED');
    }
    const apiKeys = doc.paths['/v1/organizations/{organizationId}/api-keys']!.post!;
    expect(apiKeys.parameters?.some((parameter) => parameter.name === 'idempotency-key') ?? false).toBe(false);
  });

  it('when expired keys are purged, then only rows past expires_at go, claims and responses alike', async () => {
    const caller = `user:${randomUUID()}`;
    const insert = (idempotencyKey: string, expiresIn: string, completed: boolean) =>
      t.db.database.pool.query(
        `INSERT INTO idempotency_keys (caller, method, path, key, fingerprint, claim_token, expires_at, completed_at, response_status, response_headers, response_body)
         VALUES ($1, 'POST', '/v1/x', $2, $3, $4, now() + $5::interval, ${completed ? "now(), 201, '{}', ''::bytea" : 'NULL, NULL, NULL, NULL'})`,
        [caller, idempotencyKey, requestFingerprint({}), randomUUID(), expiresIn],
      );
    await insert('expired-response', '-1 minute', true);
    await insert('expired-claim', '-2 days', false);
    await insert('fresh-response', '23 hours', true);
    await insert('fresh-claim', '1 minute', false);

    // A batch of one: the loop keeps going until a batch comes back short.
    expect(await purgeExpiredIdempotencyKeys(t.db.database.db, 1)).toBe(2);
    const { rows } = await t.db.database.pool.query<{ key: string }>(
      'SELECT key FROM idempotency_keys WHERE caller = $1 ORDER BY key',
      [caller],
    );
    expect(rows.map((row) => row.key)).toEqual(['fresh-claim', 'fresh-response']);
    expect(await purgeExpiredIdempotencyKeys(t.db.database.db)).toBe(0);
  });

  it('when requests are canonicalized, then key order and whitespace do not matter but values and array order do', () => {
    expect(canonicalJson({ b: [2, { d: 1, c: null }], a: 'x' })).toBe('{"a":"x","b":[2,{"c":null,"d":1}]}');
    expect(requestFingerprint({ a: 1, b: 2 }).equals(requestFingerprint({ b: 2, a: 1 }))).toBe(true);
    expect(requestFingerprint({ a: [1, 2] }).equals(requestFingerprint({ a: [2, 1] }))).toBe(false);
    expect(requestFingerprint({ a: 1 }).equals(requestFingerprint({ a: '1' }))).toBe(false);
  });
});

// The mechanics the tenancy routes cannot show (a required key, handler failures), on a bare
// server with the same platform hooks and the same database.
describe('idempotency mechanics', () => {
  let app: FastifyInstance;
  const runs = { required: 0, flaky: 0, refused: 0, recoverable: 0 };
  let failNext: AppError | Error | null = null;
  /** What happens around the recoverable route's commit: the power going out, or a takeover. */
  let aroundCommit: 'none' | 'fail-after' | 'taken-over-before' = 'none';

  beforeAll(async () => {
    const config = testConfig();
    app = await createServer(config, pino({ level: 'silent' }));
    // The bearer credential is the user id: enough to give each test its own caller.
    registerAccessControl(app, {
      authenticate: async (credential) => ({ kind: 'user', userId: credential, platformAdmin: false, grants: [] }),
    });
    registerIdempotency(app, { db: t.db.database.db, ...config.idempotency, metrics: new Registry() });
    const body = { type: 'object', properties: { name: { type: 'string', minLength: 1 } }, required: ['name'] };
    app.post(
      '/required',
      { config: { access: 'signed_in', idempotency: 'required' }, schema: { body } },
      async (request, reply) => {
        runs.required++;
        return reply.code(201).send({ id: randomUUID(), name: (request.body as { name: string }).name });
      },
    );
    app.post(
      '/flaky',
      { config: { access: 'signed_in', idempotency: 'optional' }, schema: { body } },
      async (_request, reply) => {
        runs.flaky++;
        const failure = failNext;
        failNext = null;
        if (failure) throw failure;
        return reply.code(201).send({ attempt: runs.flaky });
      },
    );
    // A write that must never run twice: it records its recovery point in its own transaction.
    await sql`CREATE TABLE widgets (id uuid PRIMARY KEY)`.execute(t.db.database.db);
    app.post(
      '/recoverable',
      { config: { access: 'signed_in', idempotency: 'required' }, schema: { body } },
      async (request, reply) => {
        runs.recoverable++;
        const claim = request.idempotency!;
        if (claim.recovered !== null) return reply.code(201).send({ id: claim.recovered.widget_id });
        const id = randomUUID();
        await inTransaction(t.db.database.db, async (trx) => {
          await sql`INSERT INTO widgets (id) VALUES (${id})`.execute(trx);
          // Another request takes the claim over meanwhile: a second client, on its own connection.
          if (aroundCommit === 'taken-over-before')
            await onAnotherConnection(() =>
              sql`UPDATE idempotency_keys SET claim_token = gen_random_uuid() WHERE key = ${claim.key}`.execute(
                t.db.database.db,
              ),
            );
          await claim.commitIn(trx, { widget_id: id });
        });
        if (aroundCommit === 'fail-after') throw new Error('the power went out after the commit');
        return reply.code(201).send({ id });
      },
    );
    app.post('/refused', { config: { access: 'signed_in', idempotency: 'optional' }, schema: { body } }, async () => {
      runs.refused++;
      throw new ConflictError('TABLE_LABEL_TAKEN', 'Taken.');
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
  });

  const post = (url: string, caller: string, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${caller}`, ...headers },
      payload: { name: 'x' },
    });

  it('when a route requires a key and none is sent, then 400 IDEMPOTENCY_KEY_REQUIRED and the handler does not run', async () => {
    const res = await post('/required', randomUUID());
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'IDEMPOTENCY_KEY_REQUIRED',
      errors: [{ path: '/headers/idempotency-key', message: 'is required' }],
    });
    expect(runs.required).toBe(0);
    const withOne = await post('/required', randomUUID(), { 'idempotency-key': key() });
    expect(withOne.statusCode).toBe(201);
    expect(runs.required).toBe(1);
  });

  it('when the handler fails with a 5xx or a retryable conflict, then the claim is released and the retry runs again', async () => {
    const caller = randomUUID();
    const headers = { 'idempotency-key': key() };
    failNext = new Error('the kitchen printer caught fire');
    expect((await post('/flaky', caller, headers)).statusCode).toBe(500);
    expect(await keysOf(`user:${caller}`)).toBe(0);

    failNext = new AppError(409, 'CONCURRENT_UPDATE', 'Conflict', 'Retry.');
    expect((await post('/flaky', caller, headers)).json().code).toBe('CONCURRENT_UPDATE');
    expect(await keysOf(`user:${caller}`)).toBe(0);

    const succeeded = await post('/flaky', caller, headers);
    expect(succeeded.statusCode).toBe(201);
    const replayed = await post('/flaky', caller, headers);
    expect(isReplay(replayed)).toBe(true);
    expect(replayed.body).toBe(succeeded.body);
    expect(runs.flaky).toBe(3);
  });

  it('when a request dies after committing its recovery point, then the retry resumes from it instead of writing again', async () => {
    const caller = randomUUID();
    const headers = { 'idempotency-key': key() };
    aroundCommit = 'fail-after';
    const died = await post('/recoverable', caller, headers);
    aroundCommit = 'none';
    expect(died.statusCode).toBe(500);
    // The claim survives the 5xx (something committed), made stale so the retry may take it over.
    expect(await keysOf(`user:${caller}`)).toBe(1);

    const retried = await post('/recoverable', caller, headers);
    expect(retried.statusCode).toBe(201);
    const { id } = retried.json<{ id: string }>();
    expect(await count('SELECT count(*)::int AS n FROM widgets WHERE id = $1', [id])).toBe(1);
    const replayed = await post('/recoverable', caller, headers);
    expect(isReplay(replayed)).toBe(true);
    expect(replayed.body).toBe(retried.body);
    expect(runs.recoverable).toBe(2);
  });

  it('when a claim was taken over before the write committed, then the write rolls back and the caller gets 409 IDEMPOTENCY_IN_PROGRESS', async () => {
    const before = await count('SELECT count(*)::int AS n FROM widgets', []);
    aroundCommit = 'taken-over-before';
    const res = await post('/recoverable', randomUUID(), { 'idempotency-key': key() });
    aroundCommit = 'none';
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('IDEMPOTENCY_IN_PROGRESS');
    expect(await count('SELECT count(*)::int AS n FROM widgets', [])).toBe(before);
  });

  it('when the handler answers with a 4xx, then that answer is stored and replayed, problem body and all', async () => {
    const caller = randomUUID();
    const headers = { 'idempotency-key': key() };
    const first = await post('/refused', caller, headers);
    expect(first.statusCode).toBe(409);
    const replay = await post('/refused', caller, headers);
    expect(replay.statusCode).toBe(409);
    expect(isReplay(replay)).toBe(true);
    expect(replay.headers['content-type']).toBe(first.headers['content-type']);
    // The stored problem keeps the first request's request_id: it is the same answer.
    expect(replay.body).toBe(first.body);
    expect(runs.refused).toBe(1);
  });

  it('when a public route opts in, then the app refuses to start (keys are per caller)', async () => {
    const config = testConfig();
    const server = await createServer(config, pino({ level: 'silent' }));
    registerAccessControl(server, {
      authenticate: async () => ({ kind: 'user', userId: 'x', platformAdmin: false, grants: [] }),
    });
    registerIdempotency(server, { db: t.db.database.db, ...config.idempotency, metrics: new Registry() });
    let refused: unknown = null;
    try {
      server.post('/open', { config: { access: 'public', idempotency: 'optional' } }, async () => ({}));
      await server.ready();
    } catch (error) {
      refused = error;
    }
    expect(String(refused)).toMatch(/only authenticated routes may opt in/);
    await server.close();
  });
});
