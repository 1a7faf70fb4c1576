import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, createUser, login, staffOf } from '../../test-support/identity-factories.js';
import { margheritaLine, orderingStore } from '../../test-support/ordering-factories.js';
import { DEMO_DELIVERY, placeDeliveryOrder } from '../../test-support/personal-data-factories.js';
import { identityRepo } from './repo.js';

let t: TestApp;
let shop: Awaited<ReturnType<typeof orderingStore>>;

beforeAll(async () => {
  t = await createTestApp();
  shop = await orderingStore(t);
});
afterAll(async () => {
  await t?.close();
});

const auditActions = async (organizationId: string, userId: string) =>
  (
    await t.db.database.pool.query<{ action: string; actor_id: string | null }>(
      `SELECT action, actor_id FROM audit_log WHERE organization_id = $1 AND target_id = $2 ORDER BY occurred_at, id`,
      [organizationId, userId],
    )
  ).rows;

/** A customer of the shop with one delivery order there. */
async function customerWithOrder() {
  const user = await createUser(t, { name: 'Ottoline Vandersnoot' });
  const tokens = await login(t, user);
  const placed = await placeDeliveryOrder(t, tokens.access_token, shop.store.id, margheritaLine(shop.ids));
  expect(placed.statusCode, placed.body).toBe(201);
  await t.modules.identity.api.recordCustomer(t.db.database.db, {
    organizationId: shop.organization.id,
    userId: user.id,
  });
  return { user, tokens, order: placed.json<{ id: string; totals: { total: { amount: number } } }>() };
}

describe('GET /v1/me/export', () => {
  it('when a customer exports their data, then they get their account, brands, orders with delivery details and sessions without tokens, and the brand’s audit log records it', async () => {
    const { user, tokens, order } = await customerWithOrder();
    const res = await t.app.inject({ method: 'GET', url: '/v1/me/export', headers: bearer(tokens.access_token) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    const body = res.json<{
      account: { id: string; email: string; name: string };
      memberships: unknown[];
      customer_of: Array<{ organization_id: string }>;
      orders: Array<{ id: string; delivery: unknown }>;
      sessions: Array<{ id: string; revoked_at: string | null }>;
    }>();
    expect(body.account).toMatchObject({ id: user.id, email: user.email, name: 'Ottoline Vandersnoot' });
    expect(body.memberships).toEqual([]);
    expect(body.customer_of.map((c) => c.organization_id)).toEqual([shop.organization.id]);
    expect(body.orders).toEqual([expect.objectContaining({ id: order.id, delivery: DEMO_DELIVERY })]);
    expect(body.sessions).toEqual([expect.objectContaining({ revoked_at: null })]);
    expect(res.body).not.toContain(tokens.refresh_token);
    expect(res.body).not.toContain('password');
    expect(await auditActions(shop.organization.id, user.id)).toEqual([
      { action: 'identity.personal_data.exported', actor_id: user.id },
    ]);
  });

  it('when no one is signed in, then 401', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/me/export' })).statusCode).toBe(401);
  });
});

describe('DELETE /v1/me', () => {
  const erase = (token: string, payload?: unknown) =>
    t.app.inject({ method: 'DELETE', url: '/v1/me', headers: bearer(token), ...(payload ? { payload } : {}) });

  it('when a customer erases themselves with their password, then personal fields are wiped, sessions end, login is impossible, and the order stays for the books without delivery details', async () => {
    const { user, tokens, order } = await customerWithOrder();
    expect((await erase(tokens.access_token)).statusCode).toBe(400);
    const wrong = await erase(tokens.access_token, { password: 'not it' });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json()).toMatchObject({ code: 'INVALID_PASSWORD' });

    const res = await erase(tokens.access_token, { password: user.password });
    expect(res.statusCode, res.body).toBe(204);

    // The account: pseudonymized, unreachable, no password, no relation to the brand.
    const { rows } = await t.db.database.pool.query(
      'SELECT name, email, phone, password_hash, erased_at FROM users WHERE id = $1',
      [user.id],
    );
    expect(rows[0]).toMatchObject({
      name: null,
      email: null,
      phone: null,
      password_hash: null,
      erased_at: expect.any(Date),
    });
    expect(await identityRepo.findUserById(t.db.database.db, user.id)).toMatchObject({
      name: 'Deleted customer',
      email: `erased-${user.id}@erased.invalid`,
      phone: null,
    });
    const related = await t.db.database.pool.query('SELECT 1 FROM organization_customers WHERE user_id = $1', [
      user.id,
    ]);
    expect(related.rowCount).toBe(0);
    // Signed out everywhere, and no way back in.
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(tokens.access_token) })).statusCode,
    ).toBe(401);
    const relogin = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: user.email, password: user.password },
    });
    expect(relogin.statusCode).toBe(401);
    const refresh = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refresh_token: tokens.refresh_token },
    });
    expect(refresh.statusCode).toBe(401);
    // The order is kept with its money; where to and whom are gone.
    const kept = await t.app.inject({ method: 'GET', url: `/v1/orders/${order.id}`, headers: bearer(shop.ownerToken) });
    expect(kept.statusCode).toBe(200);
    expect(kept.json()).toMatchObject({ id: order.id, customer_id: user.id, delivery: null, totals: order.totals });
    const sealed = await t.db.database.pool.query('SELECT delivery_sealed, delivery FROM orders WHERE id = $1', [
      order.id,
    ]);
    expect(sealed.rows[0]).toEqual({ delivery_sealed: null, delivery: null });
    // The placement's stored response (its replay holds the details) is gone too.
    const stored = await t.db.database.pool.query('SELECT 1 FROM idempotency_keys WHERE caller = $1', [
      `user:${user.id}`,
    ]);
    expect(stored.rowCount).toBe(0);
    expect((await auditActions(shop.organization.id, user.id)).map((entry) => entry.action)).toEqual([
      'identity.user.erased',
    ]);
  });

  it('when a password reset was mailed before the erasure, then its link no longer works', async () => {
    const { user, tokens } = await customerWithOrder();
    const asked = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/password-reset',
      payload: { email: user.email },
    });
    expect(asked.statusCode).toBe(202);
    const outbox = await t.app.inject({
      method: 'GET',
      url: `/sandbox/v1/messages?to=${encodeURIComponent(user.email)}`,
    });
    const mail = outbox.json<{ data: Array<{ template: string; data: { token?: string } }> }>().data;
    const token = mail.find((message) => message.template === 'identity.password_reset')!.data.token!;
    expect((await erase(tokens.access_token, { password: user.password })).statusCode).toBe(204);
    const confirm = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/password-reset/confirm',
      payload: { token, password: 'a brand new password' },
    });
    expect(confirm.statusCode).toBe(400);
    expect(confirm.json().code).toBe('INVALID_ACCOUNT_TOKEN');
  });

  it('when the only owner of an organization erases themselves, then 409 LAST_OWNER; once someone else is an owner, they may', async () => {
    const { organization } = await orderingStore(t);
    const owner = organization.owner;
    const refused = await erase(owner.token, { password: owner.user.password });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'LAST_OWNER' });
    await staffOf(t, { organizationId: organization.id, role: 'owner' });
    expect((await erase(owner.token, { password: owner.user.password })).statusCode).toBe(204);
    const { rows } = await t.db.database.pool.query(
      "SELECT count(*)::int AS owners FROM memberships WHERE organization_id = $1 AND role = 'owner'",
      [organization.id],
    );
    expect(rows[0]).toEqual({ owners: 1 });
    expect((await auditActions(organization.id, owner.user.id)).map((entry) => entry.action)).toEqual([
      'identity.user.erased',
    ]);
  });
});
