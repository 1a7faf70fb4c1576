import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries } from '../../test-support/audit-factories.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { apiKey, bearer, customer, staffOf } from '../../test-support/identity-factories.js';
import { createOrganization, organizationWithStore } from '../../test-support/tenancy-factories.js';
import { inTransaction } from '../db/index.js';
import { requestContext } from '../observability/context.js';
import { diffChanges, isSensitiveField, purgeAuditLog, recordAudit, REDACTED, type AuditEntry } from './index.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const db = () => t.db.database.db;
const countWhere = async (organizationId: string) =>
  Number(
    (
      await sql<{ n: string }>`SELECT count(*) AS n FROM audit_log WHERE organization_id = ${organizationId}`.execute(
        db(),
      )
    ).rows[0]!.n,
  );

/** Writes an entry as `actorId` would from a request, in its own committed transaction. */
function recordAs(actorId: string, entry: AuditEntry, requestId = `req-${uuidv7()}`) {
  return requestContext.run({ requestId, ip: '203.0.113.7', actor: { kind: 'user', id: actorId } }, () =>
    inTransaction(db(), (trx) => recordAudit(trx, entry)),
  );
}

/** An entry dated `daysAgo` in the past (inserting is the one thing the table allows). */
async function insertAged(organizationId: string, daysAgo: number) {
  const id = uuidv7();
  await sql`INSERT INTO audit_log (id, organization_id, actor_kind, action, target_type, target_id, occurred_at)
            VALUES (${id}::uuid, ${organizationId}::uuid, 'system', 'catalog.item.updated', 'item', 'x',
                    now() - make_interval(days => ${daysAgo}))`.execute(db());
  return id;
}

describe('redaction', () => {
  it('when fields are secrets or personal data, then their values read [redacted] at any depth, other fields stay', () => {
    const changes = diffChanges(null, {
      name: 'Margherita',
      password: 'hunter2',
      webhook_secret: 'whsec_1',
      apiKey: 'bk_live_x',
      credentials: { secret_key: 'sk_1', account: 'acct_1' },
      access_token: 't',
      contact: { email: 'a@b.test', phone: '+4930123', customer_name: 'Ada' },
      address: { line1: '1 Main St' },
      delivery_instructions: 'ring twice',
      price: 1250,
      missing: null,
    });
    expect(changes.after).toEqual({
      name: 'Margherita',
      password: REDACTED,
      webhook_secret: REDACTED,
      apiKey: REDACTED,
      credentials: REDACTED,
      access_token: REDACTED,
      contact: { email: REDACTED, phone: REDACTED, customer_name: REDACTED },
      address: REDACTED,
      delivery_instructions: REDACTED,
      price: 1250,
      missing: null,
    });
    expect(isSensitiveField('name')).toBe(false);
    expect(isSensitiveField('name', ['name'])).toBe(true);
    expect(isSensitiveField('first_name')).toBe(true);
  });

  it('when a write changes some fields, then only those are kept, and a changed secret shows changed but hidden', () => {
    expect(
      diffChanges(
        { name: 'A', price: 100, secret: 'old', at: new Date('2026-01-01T00:00:00Z') },
        { name: 'A', price: 120, secret: 'new', at: new Date('2026-01-01T00:00:00Z') },
      ),
    ).toEqual({ before: { price: 100, secret: REDACTED }, after: { price: 120, secret: REDACTED } });
    expect(diffChanges({ name: 'A' }, null)).toEqual({ before: { name: 'A' }, after: null });
  });
});

describe('the audit_log table', () => {
  it('when anyone UPDATEs, DELETEs or TRUNCATEs an entry, then the database refuses', async () => {
    const { id: organizationId } = await createOrganization(t);
    const id = await insertAged(organizationId, 0);
    await expect(
      sql`UPDATE audit_log SET action = 'catalog.item.deleted' WHERE id = ${id}::uuid`.execute(db()),
    ).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(sql`DELETE FROM audit_log WHERE id = ${id}::uuid`.execute(db())).rejects.toThrow(
      /append-only: DELETE refused/,
    );
    await expect(sql`TRUNCATE audit_log`.execute(db())).rejects.toThrow(/append-only: TRUNCATE refused/);
    // Setting the purge's switch by hand does not open the door to recent rows either.
    await expect(
      inTransaction(db(), async (trx) => {
        await sql`SELECT set_config('brigade.audit_purge_before', (now() - interval '30 days')::text, true)`.execute(
          trx,
        );
        await sql`DELETE FROM audit_log WHERE id = ${id}::uuid`.execute(trx);
      }),
    ).rejects.toThrow(/append-only/);
    expect(await countWhere(organizationId)).toBe(1);
  });

  it('when a write rolls back, then its entry is gone with it; when it commits, the entry is there with actor, request id and IP', async () => {
    const { id: organizationId, owner } = await createOrganization(t);
    const entry: AuditEntry = {
      organizationId,
      action: 'catalog.item.updated',
      target: { type: 'item', id: 'item-1' },
      before: { price: 1 },
      after: { price: 2 },
    };
    await expect(
      requestContext.run({ requestId: 'req-rolled-back', actor: { kind: 'user', id: owner.user.id } }, () =>
        inTransaction(db(), async (trx) => {
          await recordAudit(trx, entry);
          throw new Error('the write failed');
        }),
      ),
    ).rejects.toThrow('the write failed');
    expect(await countWhere(organizationId)).toBe(0);

    await recordAs(owner.user.id, entry, 'req-committed');
    const [row] = await auditEntries(t, owner, organizationId);
    expect(row).toMatchObject({
      organization_id: organizationId,
      store_id: null,
      actor: { kind: 'user', id: owner.user.id },
      action: 'catalog.item.updated',
      target: { type: 'item', id: 'item-1' },
      changes: { before: { price: 1 }, after: { price: 2 } },
      request_id: 'req-committed',
      ip: '203.0.113.7',
    });
  });

  it('when recordAudit is called outside a transaction or with a malformed action, then it throws', async () => {
    const { id: organizationId } = await createOrganization(t);
    const target = { type: 'item', id: 'x' };
    await expect(
      recordAudit(db() as never, { organizationId, action: 'catalog.item.updated', target }),
    ).rejects.toThrow(/inside the transaction/);
    await expect(
      inTransaction(db(), (trx) => recordAudit(trx, { organizationId, action: 'ItemUpdated', target })),
    ).rejects.toThrow(/must look like/);
  });
});

describe('retention', () => {
  it('when the purge runs, then entries past the period go and younger ones stay', async () => {
    const { id: organizationId } = await createOrganization(t);
    const old = await insertAged(organizationId, 500);
    const young = await insertAged(organizationId, 10);
    const deleted = await purgeAuditLog(db(), { retentionDays: 400, chunk: 1 });
    expect(deleted).toBeGreaterThanOrEqual(1);
    const left = await sql<{ id: string }>`SELECT id FROM audit_log WHERE organization_id = ${organizationId}`.execute(
      db(),
    );
    expect(left.rows.map((row) => row.id)).toEqual([young]);
    expect(left.rows.map((row) => row.id)).not.toContain(old);
  });

  it('when the purge is asked to delete entries less than a day old, then the database refuses', async () => {
    await expect(purgeAuditLog(db(), { retentionDays: 0 })).rejects.toThrow(/less than a day old/);
  });
});

describe('GET /v1/organizations/{orgId}/audit-log', () => {
  it('when an owner reads, then 200; manager, staff, customer, API key: 403; another organization’s owner: 404; nobody: 401', async () => {
    const brand = await organizationWithStore(t);
    const organizationId = brand.organization.id;
    const url = `/v1/organizations/${organizationId}/audit-log`;
    const read = (headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

    const owner = await read(bearer(brand.organization.owner.token));
    expect(owner.statusCode).toBe(200);
    expect(owner.headers['cache-control']).toBe('private, no-store');
    for (const role of ['manager', 'staff'] as const) {
      const member = await staffOf(t, { organizationId, role });
      expect((await read(bearer(member.token))).statusCode).toBe(403);
    }
    const storeManager = await staffOf(t, { organizationId, storeId: brand.store.id, role: 'manager' });
    expect((await read(bearer(storeManager.token))).statusCode).toBe(403);
    expect((await read(bearer((await customer(t)).token))).statusCode).toBe(403);
    const key = await apiKey(t, brand.organization.owner.token, organizationId, ['staff:read']);
    expect((await read(bearer(key))).statusCode).toBe(403);
    const other = await createOrganization(t);
    const foreign = await read(bearer(other.owner.token));
    expect(foreign.statusCode).toBe(404);
    expect(foreign.headers['content-type']).toContain('application/problem+json');
    expect((await read()).statusCode).toBe(401);
  });

  it('when entries span several pages, then they come newest first, each once, and filters narrow them', async () => {
    const { id: organizationId, owner } = await createOrganization(t);
    const storeId = uuidv7();
    const someoneElse = uuidv7();
    const entries: AuditEntry[] = [
      { organizationId, action: 'catalog.item.created', target: { type: 'item', id: 'i-1' } },
      { organizationId, storeId, action: 'inventory.stock.set', target: { type: 'item', id: 'i-1' } },
      { organizationId, action: 'catalog.item.updated', target: { type: 'item', id: 'i-2' } },
      { organizationId, storeId, action: 'tenancy.store.updated', target: { type: 'store', id: storeId } },
      { organizationId, action: 'catalog.category.created', target: { type: 'category', id: 'c-1' } },
    ];
    for (const entry of entries) await recordAs(owner.user.id, entry);
    await recordAs(someoneElse, {
      organizationId,
      action: 'catalog.item.deleted',
      target: { type: 'item', id: 'i-2' },
    });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { statusCode: number; json<T>(): T } = await t.app.inject({
        method: 'GET',
        url: `/v1/organizations/${organizationId}/audit-log`,
        query: { limit: '2', ...(cursor ? { cursor } : {}) },
        headers: bearer(owner.token),
      });
      expect(res.statusCode).toBe(200);
      const page = res.json<{ data: Array<{ action: string }>; next_cursor: string | null; has_more: boolean }>();
      expect(page.data.length).toBeLessThanOrEqual(2);
      expect(page.has_more).toBe(page.next_cursor !== null);
      seen.push(...page.data.map((entry) => entry.action));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual(['catalog.item.deleted', ...entries.map((entry) => entry.action).reverse()]);

    const actions = async (query: Record<string, string>) =>
      (await auditEntries(t, owner, organizationId, query)).map((entry) => entry.action);
    expect(await actions({ action: 'catalog.item.updated' })).toEqual(['catalog.item.updated']);
    expect(await actions({ action: 'catalog.item.*' })).toEqual([
      'catalog.item.deleted',
      'catalog.item.updated',
      'catalog.item.created',
    ]);
    expect(await actions({ actor: someoneElse })).toEqual(['catalog.item.deleted']);
    expect(await actions({ store_id: storeId })).toEqual(['tenancy.store.updated', 'inventory.stock.set']);
    expect(await actions({ target_id: 'i-1' })).toEqual(['inventory.stock.set', 'catalog.item.created']);
    const future = new Date(Date.now() + 3600_000).toISOString();
    const past = new Date(Date.now() - 3600_000).toISOString();
    expect(await actions({ since: future })).toEqual([]);
    expect(await actions({ until: past })).toEqual([]);
    expect(await actions({ since: past, until: future, action: 'catalog.category.created' })).toEqual([
      'catalog.category.created',
    ]);
  });

  it('when the query is malformed, then 400; when anyone tries to write the log, then 405 with Allow', async () => {
    const { id: organizationId, owner } = await createOrganization(t);
    const url = `/v1/organizations/${organizationId}/audit-log`;
    const malformed: Array<Record<string, string>> = [
      { cursor: 'not-a-cursor' },
      { action: 'DROP TABLE' },
      { since: 'yesterday' },
      { actor: 'x' },
    ];
    for (const query of malformed) {
      const res = await t.app.inject({ method: 'GET', url, query, headers: bearer(owner.token) });
      expect(res.statusCode, JSON.stringify(query)).toBe(400);
    }
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      const res = await t.app.inject({ method, url, headers: bearer(owner.token), payload: {} });
      expect(res.statusCode, method).toBe(405);
      expect(res.headers.allow).toContain('GET');
    }
  });
});
