// Test factories for marketing: promotions and codes created through the management routes (so
// every test promotion passed the rules a manager's would), many signed-in customers at once,
// quotes, and a look at the redemption ledger and its counters (marketing's tables, read only).
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { inTransaction } from '../platform/db/index.js';
import type { TestApp } from './harness.js';
import { bearer } from './identity-factories.js';
import { waitFor } from './wait.js';

export interface PromotionView {
  id: string;
  version: number;
  usage: { uses: number; discount_spent: number };
  [field: string]: unknown;
}

/** POST /v1/organizations/{orgId}/promotions as the owner; expects 201. */
export async function createPromotion(
  t: TestApp,
  place: { organizationId: string; ownerToken: string },
  body: Record<string, unknown>,
): Promise<PromotionView> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/v1/organizations/${place.organizationId}/promotions`,
    headers: bearer(place.ownerToken),
    payload: body,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<PromotionView>();
}

export async function readPromotion(
  t: TestApp,
  place: { organizationId: string; ownerToken: string },
  promotionId: string,
): Promise<PromotionView> {
  const res = await t.app.inject({
    method: 'GET',
    url: `/v1/organizations/${place.organizationId}/promotions/${promotionId}`,
    headers: bearer(place.ownerToken),
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<PromotionView>();
}

/** POST …/{promotionId}/codes: `{code, usage_limit?}` (one shared code) or `{count}` (single-use codes); their codes. */
export async function createCodes(
  t: TestApp,
  place: { organizationId: string; ownerToken: string },
  promotionId: string,
  body: Record<string, unknown>,
): Promise<Array<{ id: string; code: string; usage_limit: number | null; uses: number }>> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/v1/organizations/${place.organizationId}/promotions/${promotionId}/codes`,
    headers: bearer(place.ownerToken),
    payload: body,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ data: Array<{ id: string; code: string; usage_limit: number | null; uses: number }> }>().data;
}

export interface SignedInCustomer {
  id: string;
  token: string;
}

/**
 * `count` new customers, each with a live session, created in one transaction through identity's
 * api (no password, so no hashing: a session is started directly, as a login would).
 */
export async function manyCustomers(t: TestApp, count: number): Promise<SignedInCustomer[]> {
  const batch = randomBytes(4).toString('hex');
  return inTransaction(t.db.database.db, async (trx) => {
    const made: SignedInCustomer[] = [];
    for (let i = 0; i < count; i++) {
      const user = await t.modules.identity.api.createUser(trx, {
        email: `racer-${batch}-${i}@example.test`,
        password: null,
        name: `Racer ${i}`,
      });
      const session = await t.modules.identity.api.startSession(trx, user.id);
      made.push({ id: user.id, token: session.access_token });
    }
    return made;
  });
}

export interface QuoteView {
  orderable: boolean;
  problems: Array<{ code: string; path: string; message: string }>;
  totals: Record<string, { amount: number; currency: string }>;
  lines: Array<Record<string, unknown>>;
  discounts: Array<{ promotion_id: string; name: string; code: string | null; amount: { amount: number } }>;
  promotions_not_applied: Array<{ promotion_id: string; reason_code: string; reason: string; code: string | null }>;
}

/** POST /v1/stores/{storeId}/quotes, signed in when a token is given; expects 200. */
export async function quote(
  t: TestApp,
  storeId: string,
  body: Record<string, unknown>,
  token: string | null = null,
): Promise<QuoteView> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/v1/stores/${storeId}/quotes`,
    headers: token === null ? {} : bearer(token),
    payload: body,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<QuoteView>();
}

/** "201", "422 COUPON_LIMIT_REACHED", …: how many responses of each. */
export function tally(responses: LightMyRequestResponse[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const res of responses) {
    const label =
      res.statusCode >= 400 ? `${res.statusCode} ${res.json<{ code: string }>().code}` : String(res.statusCode);
    counts[label] = (counts[label] ?? 0) + 1;
  }
  return counts;
}

export interface RedemptionRow {
  order_id: string;
  code_id: string | null;
  customer_id: string | null;
  amount: number;
  units: number;
  status: 'held' | 'confirmed' | 'released';
  release_reason: string | null;
}

/** The ledger of one promotion, oldest first. */
export async function redemptionsOf(t: TestApp, promotionId: string): Promise<RedemptionRow[]> {
  const { rows } = await t.db.database.pool.query<RedemptionRow>(
    `SELECT order_id, code_id, customer_id, amount, units, status, release_reason
     FROM promotion_redemptions WHERE promotion_id = $1 ORDER BY held_at, id`,
    [promotionId],
  );
  return rows;
}

/** What the counters of a promotion say: its own, its codes', its customers' and its pools'. */
export async function countersOf(t: TestApp, promotionId: string) {
  const q = <T extends object>(text: string) =>
    t.db.database.pool.query<T>(text, [promotionId]).then((result) => result.rows);
  const [promotion] = await q<{ uses: number; discount_spent: string }>(
    'SELECT uses, discount_spent FROM promotions WHERE id = $1',
  );
  return {
    uses: promotion!.uses,
    discountSpent: Number(promotion!.discount_spent),
    codes: await q<{ code: string; uses: number }>(
      'SELECT code, uses FROM promotion_codes WHERE promotion_id = $1 ORDER BY code',
    ),
    customers: await q<{ customer_id: string; period: string; uses: number }>(
      'SELECT customer_id, period, uses FROM promotion_customer_uses WHERE promotion_id = $1 ORDER BY customer_id',
    ),
    pools: await q<{ store_id: string; day: string; pool: number; taken: number }>(
      'SELECT store_id, day::text AS day, pool, taken FROM flash_sale_pools WHERE promotion_id = $1 ORDER BY day',
    ),
  };
}

/**
 * brigade check's findings (payments' invariants include marketing's ledger audit): marketing's
 * own must be none at once; payments still settling (a cancelled order's void, a refund) are
 * waited for, then the whole report must be clean.
 */
export async function expectLedgerSound(t: TestApp) {
  expect(await t.modules.marketing.api.audit(t.db.database.db)).toEqual([]);
  await waitFor(
    'brigade check to be clean',
    async () => (await t.modules.payments.api.checkInvariants({ graceSeconds: 0 })).ok,
    20_000,
    50,
  ).catch(() => undefined);
  const report = await t.modules.payments.api.checkInvariants({ graceSeconds: 0 });
  expect(report.violations).toEqual([]);
  expect(report.ok).toBe(true);
}
