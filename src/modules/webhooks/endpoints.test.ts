import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { auditEntries, lastAudit } from '../../test-support/audit-factories.js';
import type { TestApp } from '../../test-support/harness.js';
import { apiKey, customer, staffOf } from '../../test-support/identity-factories.js';
import { createOrganization, type TestOrganization } from '../../test-support/tenancy-factories.js';
import { webhookTables } from './tables.js';
import { caller, endpointBody, endpointsUrl, webhookTestApp } from './test-helpers.js';

let t: TestApp;
let call: ReturnType<typeof caller>;
let org: TestOrganization;
let other: TestOrganization;
const now = new Date('2026-12-07T12:00:00Z');
const SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/;

beforeAll(async () => {
  t = await webhookTestApp(now);
  call = caller(t);
  org = await createOrganization(t);
  other = await createOrganization(t);
});
afterAll(async () => {
  await t.close();
});

const storedRow = (id: string) =>
  webhookTables(t.db.database.db)
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

describe('the event type catalogue', () => {
  it('when anyone asks, then it lists the public event types with their JSON Schemas, cacheable with a strong ETag', async () => {
    const res = await call('GET', '/v1/webhook-event-types', null);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toContain('public');
    const etag = res.headers.etag as string;
    expect(etag).toMatch(/^"[^"]+"$/);
    const types = res.json<{ data: Array<{ type: string; version: number; schema: { type: string } }> }>().data;
    expect(types.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'order.placed',
        'order.accepted',
        'order.rejected',
        'order.ready',
        'order.completed',
        'order.cancelled',
        'payment.captured',
        'payment.refunded',
        'webhook.test',
      ]),
    );
    for (const entry of types) {
      expect(entry.version).toBeGreaterThanOrEqual(1);
      expect(entry.schema.type).toBe('object');
    }
    expect(res.body).not.toContain('ordering.order'); // internal names never leak

    const again = await call('GET', '/v1/webhook-event-types', null, undefined, { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });
});

describe('registering an endpoint', () => {
  it('when the owner registers one, then the answer holds the whsec_ secret once; reads, lists and the audit log show only its hint', async () => {
    const created = await call(
      'POST',
      endpointsUrl(org.id),
      org.owner.token,
      endpointBody({ rate_limit_per_second: 5 }),
    );
    expect(created.statusCode, created.body).toBe(201);
    const endpoint = created.json();
    expect(endpoint).toEqual({
      id: expect.any(String),
      organization_id: org.id,
      url: 'http://127.0.0.1:9/hooks/brigade',
      description: 'POS bridge',
      event_types: ['order.placed', 'order.ready'],
      rate_limit_per_second: 5,
      ordered: false,
      state: 'enabled',
      disabled_reason: null,
      disabled_at: null,
      secret_hint: expect.any(String),
      created_at: '2026-12-07T12:00:00Z',
      updated_at: '2026-12-07T12:00:00Z',
      version: 1,
      secret: expect.stringMatching(SECRET),
    });
    const secret: string = endpoint.secret;
    expect(endpoint.secret_hint).toContain(secret.slice(-4));
    expect(endpoint.secret_hint.length).toBeLessThan(16);
    expect(created.headers.location).toBe(`${endpointsUrl(org.id)}/${endpoint.id}`);
    expect(created.headers.etag).toBe('"1"');
    expect(created.headers['cache-control']).toBe('private, no-store');

    const read = await call('GET', `${endpointsUrl(org.id)}/${endpoint.id}`, org.owner.token);
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe('"1"');
    const { secret: _, ...withoutSecret } = endpoint;
    expect(read.json()).toEqual(withoutSecret);
    expect(read.body).not.toContain(secret);

    const listed = await call('GET', `${endpointsUrl(org.id)}?limit=100`, org.owner.token);
    expect(listed.json().data).toEqual([withoutSecret]);
    expect(listed.body).not.toContain(secret);

    // Sealed at rest: neither the secret nor its key material is in the row.
    const row = await storedRow(endpoint.id);
    expect(row.secret_sealed.includes(Buffer.from(secret))).toBe(false);
    expect(row.secret_sealed.includes(Buffer.from(secret.slice(6), 'base64'))).toBe(false);

    const audit = await lastAudit(t, org.owner, org.id, 'webhooks.endpoint.created', endpoint.id);
    expect(audit.changes.after).toMatchObject({ url: endpoint.url, event_types: endpoint.event_types });
    expect(JSON.stringify(await auditEntries(t, org.owner, org.id))).not.toContain(secret.slice(6, 20));
  });

  it('when a manager registers one with ordering on and no description, then it is created with defaults', async () => {
    const manager = await staffOf(t, { organizationId: org.id, role: 'manager' });
    const res = await call('POST', endpointsUrl(org.id), manager.token, {
      url: 'http://127.0.0.1:9/fifo',
      event_types: ['order.placed'],
      ordered: true,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ ordered: true, description: null, rate_limit_per_second: null });
  });

  it('when an event type is not in the catalogue, then it is 422 UNKNOWN_EVENT_TYPE pointing at each unknown one, and nothing is created', async () => {
    const before = (await call('GET', `${endpointsUrl(org.id)}?limit=100`, org.owner.token)).json().data.length;
    const res = await call(
      'POST',
      endpointsUrl(org.id),
      org.owner.token,
      endpointBody({ event_types: ['order.placed', 'order.teleported', 'ordering.order.placed'] }),
    );
    expect(res.statusCode, res.body).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const body = res.json();
    expect(body.code).toBe('UNKNOWN_EVENT_TYPE');
    expect(body.errors.map((e: { path: string; code: string }) => `${e.code} ${e.path}`)).toEqual([
      'UNKNOWN_EVENT_TYPE /body/event_types/1',
      'UNKNOWN_EVENT_TYPE /body/event_types/2',
    ]);
    expect((await call('GET', `${endpointsUrl(org.id)}?limit=100`, org.owner.token)).json().data.length).toBe(before);
  });

  it('when the URL reaches a private, link-local or loopback-over-IPv6 address, then it is 422 WEBHOOK_URL_NOT_ALLOWED', async () => {
    for (const url of ['http://10.0.0.1/x', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/x']) {
      const res = await call('POST', endpointsUrl(org.id), org.owner.token, endpointBody({ url }));
      expect(res.statusCode, `${url}: ${res.body}`).toBe(422);
      expect(res.json()).toMatchObject({
        code: 'WEBHOOK_URL_NOT_ALLOWED',
        errors: [{ path: '/body/url', code: 'WEBHOOK_URL_NOT_ALLOWED' }],
      });
    }
  });

  it('when the body has an unknown field, a repeated or empty list, or an out-of-range rate, then the schema refuses it (400)', async () => {
    const bodies = [
      endpointBody({ colour: 'red' }),
      endpointBody({ event_types: [] }),
      endpointBody({ event_types: ['order.placed', 'order.placed'] }),
      endpointBody({ rate_limit_per_second: 0 }),
      endpointBody({ rate_limit_per_second: 1001 }),
      endpointBody({ url: 'not a url' }),
      { event_types: ['order.placed'] },
    ];
    for (const body of bodies) {
      const res = await call('POST', endpointsUrl(org.id), org.owner.token, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
  });
});

describe('who may manage endpoints', () => {
  it('when a customer, floor staff, an API key without webhooks:write or another brand’s manager calls, then 403 or 404; with no credentials 401; a key with it manages its own brand’s', async () => {
    const mine = (await call('POST', endpointsUrl(org.id), org.owner.token, endpointBody())).json();
    const url = `${endpointsUrl(org.id)}/${mine.id}`;
    const shopper = await customer(t);
    expect((await call('GET', endpointsUrl(org.id), shopper.token)).statusCode).toBe(403);
    expect((await call('POST', endpointsUrl(org.id), shopper.token, endpointBody())).statusCode).toBe(403);
    const floor = await staffOf(t, { organizationId: org.id, role: 'staff' });
    expect((await call('GET', url, floor.token)).statusCode).toBe(403);
    const key = await apiKey(t, org.owner.token, org.id, ['orders:read']);
    expect((await call('GET', endpointsUrl(org.id), key)).statusCode).toBe(403);
    expect((await call('GET', endpointsUrl(org.id), null)).statusCode).toBe(401);
    // A key granted webhooks:write manages its own brand's endpoints, and no other brand's.
    const integration = await apiKey(t, org.owner.token, org.id, ['webhooks:write']);
    expect((await call('GET', url, integration)).json()).toMatchObject({ id: mine.id });
    const made = await call('POST', endpointsUrl(org.id), integration, endpointBody({ description: 'by key' }));
    expect(made.statusCode, made.body).toBe(201);
    expect((await call('DELETE', `${endpointsUrl(org.id)}/${made.json().id}`, integration)).statusCode).toBe(204);
    expect((await call('GET', endpointsUrl(other.id), integration)).statusCode).toBe(404);

    const outsider = await staffOf(t, { organizationId: other.id, role: 'manager' });
    const attempts = [
      await call('GET', endpointsUrl(org.id), outsider.token),
      await call('POST', endpointsUrl(org.id), outsider.token, endpointBody()),
      await call('GET', url, outsider.token),
      await call('PATCH', url, outsider.token, { description: 'mine now' }),
      await call('DELETE', url, outsider.token),
      await call('POST', `${url}/rotate-secret`, outsider.token),
      await call('POST', `${url}/test`, outsider.token),
      await call('POST', `${url}/replay`, outsider.token, { since: '2026-12-07T11:00:00Z' }),
      await call('POST', `${url}/enable`, outsider.token),
      await call('GET', `${url}/attempts`, outsider.token),
    ];
    expect(attempts.map((res) => res.statusCode)).toEqual(attempts.map(() => 404));
    // Through its own organization's path, another brand's endpoint is not found either.
    const viaOwn = await call('GET', `${endpointsUrl(other.id)}/${mine.id}`, other.owner.token);
    expect(viaOwn.statusCode).toBe(404);
    expect(viaOwn.json().code).toBe('WEBHOOK_ENDPOINT_NOT_FOUND');
    expect((await call('GET', `${endpointsUrl(other.id)}?limit=100`, other.owner.token)).json().data).toEqual([]);
    expect((await storedRow(mine.id)).description).toBe('POS bridge');
  });
});

describe('changing an endpoint', () => {
  it('when a manager patches with the current If-Match, then the fields change and the version moves; a stale one is 412', async () => {
    const created = (await call('POST', endpointsUrl(org.id), org.owner.token, endpointBody())).json();
    const url = `${endpointsUrl(org.id)}/${created.id}`;
    const manager = await staffOf(t, { organizationId: org.id, role: 'manager' });
    const patched = await call(
      'PATCH',
      url,
      manager.token,
      {
        url: 'http://127.0.0.1:9/v2',
        event_types: ['payment.captured'],
        description: null,
        rate_limit_per_second: 10,
        ordered: true,
      },
      { 'if-match': '"1"' },
    );
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.headers.etag).toBe('"2"');
    expect(patched.json()).toMatchObject({
      url: 'http://127.0.0.1:9/v2',
      event_types: ['payment.captured'],
      description: null,
      rate_limit_per_second: 10,
      ordered: true,
      version: 2,
      secret_hint: created.secret_hint,
    });
    expect(patched.json()).not.toHaveProperty('secret');

    const stale = await call('PATCH', url, manager.token, { description: 'late' }, { 'if-match': '"1"' });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().code).toBe('PRECONDITION_FAILED');
    expect((await call('GET', url, manager.token)).json().description).toBeNull();

    const audit = await lastAudit(t, org.owner, org.id, 'webhooks.endpoint.updated', created.id);
    expect(audit.changes.before).toMatchObject({ url: created.url, version: 1 });
    expect(audit.changes.after).toMatchObject({ url: 'http://127.0.0.1:9/v2', version: 2 });
  });

  it('when a patch moves the URL to a private address or names an unknown event type, then it is 422 and nothing changes', async () => {
    const created = (await call('POST', endpointsUrl(org.id), org.owner.token, endpointBody())).json();
    const url = `${endpointsUrl(org.id)}/${created.id}`;
    const refused = await call('PATCH', url, org.owner.token, { url: 'http://10.0.0.1/x' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().code).toBe('WEBHOOK_URL_NOT_ALLOWED');
    const unknown = await call('PATCH', url, org.owner.token, { event_types: ['order.placed', 'pizza.eaten'] });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({
      code: 'UNKNOWN_EVENT_TYPE',
      errors: [{ path: '/body/event_types/1', code: 'UNKNOWN_EVENT_TYPE' }],
    });
    expect((await call('PATCH', url, org.owner.token, {})).statusCode).toBe(400);
    expect((await call('PATCH', url, org.owner.token, { secret_hint: 'x' })).statusCode).toBe(400);
    expect((await call('GET', url, org.owner.token)).json()).toMatchObject({ url: created.url, version: 1 });
  });
});

describe('deleting an endpoint', () => {
  it('when an endpoint is deleted, then it is 204, then 404 everywhere, and it leaves the list', async () => {
    const created = (await call('POST', endpointsUrl(org.id), org.owner.token, endpointBody())).json();
    const url = `${endpointsUrl(org.id)}/${created.id}`;
    expect((await call('DELETE', url, org.owner.token, undefined, { 'if-match': '"5"' })).statusCode).toBe(412);
    const deleted = await call('DELETE', url, org.owner.token, undefined, { 'if-match': '"1"' });
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect(deleted.body).toBe('');

    const read = await call('GET', url, org.owner.token);
    expect(read.statusCode).toBe(404);
    expect(read.json().code).toBe('WEBHOOK_ENDPOINT_NOT_FOUND');
    expect((await call('PATCH', url, org.owner.token, { description: 'x' })).statusCode).toBe(404);
    expect((await call('DELETE', url, org.owner.token)).statusCode).toBe(404);
    expect((await call('POST', `${url}/rotate-secret`, org.owner.token)).statusCode).toBe(404);
    const listed = (await call('GET', `${endpointsUrl(org.id)}?limit=100`, org.owner.token)).json();
    expect(listed.data.map((e: { id: string }) => e.id)).not.toContain(created.id);
    expect((await storedRow(created.id)).deleted_at).toEqual(now);
    await lastAudit(t, org.owner, org.id, 'webhooks.endpoint.deleted', created.id);
    expect((await call('GET', `${endpointsUrl(org.id)}/${uuidv7()}`, org.owner.token)).statusCode).toBe(404);
  });
});

describe('listing endpoints', () => {
  it('when there are more endpoints than a page, then keyset pages in id order cover each exactly once', async () => {
    const fresh = await createOrganization(t);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await call('POST', endpointsUrl(fresh.id), fresh.owner.token, endpointBody())).json().id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${cursor}`;
      const page = (await call('GET', `${endpointsUrl(fresh.id)}${query}`, fresh.owner.token)).json();
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((e: { id: string }) => e.id));
      expect(page.has_more).toBe(page.next_cursor !== null);
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual([...ids].sort());
    expect((await call('GET', `${endpointsUrl(fresh.id)}?cursor=nonsense`, fresh.owner.token)).statusCode).toBe(400);
  });
});
