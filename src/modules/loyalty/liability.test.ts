import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { customer, staffOf } from '../../test-support/identity-factories.js';
import { createOrganization, createStore, type TestOrganization } from '../../test-support/tenancy-factories.js';
import { cheapestPerPoint, createLiabilityReport, valueOf } from './liability.js';
import type { Reward } from './model.js';
import { caller, creditPoints, holdPoints, sliceClub } from './test-helpers.js';

const DAY = 86_400_000;
const now = new Date('2026-12-07T12:00:00Z');
const at = (days: number) => new Date(now.getTime() + days * DAY);
let t: TestApp;
let call: ReturnType<typeof caller>;
let org: TestOrganization;
let other: TestOrganization;

beforeAll(async () => {
  t = await createTestApp({}, { clock: () => now });
  call = caller(t);
  org = await createOrganization(t);
  other = await createOrganization(t);
  await createStore(t, { organizationId: org.id });
  await createStore(t, { organizationId: org.id });
  for (const brand of [org, other])
    expect(
      (await call('PUT', `/v1/organizations/${brand.id}/loyalty`, brand.owner.token, sliceClub())).statusCode,
    ).toBe(201);
});
afterAll(async () => {
  await t.close();
});

const reward = (points: number, cost: number, active = true): Reward => ({
  id: `r-${points}-${cost}`,
  organization_id: 'o',
  name: 'r',
  description: null,
  points,
  effect: { type: 'amount_off', amount: 1 },
  cost,
  active,
});

describe('valuation', () => {
  it('when rewards differ in cost per point, then the cheapest active one values the points, exactly and floored', () => {
    expect(cheapestPerPoint([])).toBeNull();
    const best = reward(400, 300);
    expect(cheapestPerPoint([reward(100, 120), best, reward(10, 1, false)])).toBe(best);
    expect(cheapestPerPoint([reward(200, 100), reward(100, 50)])!.points).toBe(100);
    expect(valueOf(1001, 300, 400)).toBe(750);
    expect(valueOf(2_000_000_000, 2_000_000_000, 3)).toBe(Number(4_000_000_000_000_000_000n / 3n));
  });
});

describe('the liability report', () => {
  it('when members hold points in every state, then the report equals a recomputation from the lots and the holds, for this brand only', async () => {
    const rewardRes = await call('POST', `/v1/organizations/${org.id}/loyalty/rewards`, org.owner.token, {
      name: 'Free pizza',
      points: 400,
      cost: 300,
      effect: { type: 'amount_off', amount: 900 },
    });
    const pricey = await call('POST', `/v1/organizations/${org.id}/loyalty/rewards`, org.owner.token, {
      name: 'Free drink',
      points: 100,
      cost: 120,
      effect: { type: 'amount_off', amount: 300 },
    });
    expect(pricey.statusCode).toBe(201);
    const rewardId = rewardRes.json().id;
    const people = [await customer(t), await customer(t), await customer(t)];
    for (const person of people) await call('POST', `/v1/me/loyalty/${org.id}/join`, person.token);
    const [a, b, c] = people.map((p) => p.user.id) as [string, string, string];
    await creditPoints(t, { organizationId: org.id, customerId: a, points: 500, at: at(-100), expiresAt: at(10) });
    await creditPoints(t, { organizationId: org.id, customerId: a, points: 80, at: at(-5), expiresAt: at(29) });
    await creditPoints(t, { organizationId: org.id, customerId: a, points: 40, at: at(-5), expiresAt: at(31) });
    await holdPoints(t, { organizationId: org.id, customerId: a, rewardId, points: 400, at: now });
    // b: 60 locked for two more days, 15 whose lock ended but not swept, an expired-but-unswept lot.
    await creditPoints(t, {
      organizationId: org.id,
      customerId: b,
      points: 60,
      at: now,
      availableAt: at(2),
      expiresAt: at(20),
    });
    await creditPoints(t, { organizationId: org.id, customerId: b, points: 15, at: at(-2), availableAt: at(-1) });
    await creditPoints(t, { organizationId: org.id, customerId: b, points: 9, at: at(-400), expiresAt: at(-1) });
    // c leaves with 33 points: still owed if they come back.
    await creditPoints(t, { organizationId: org.id, customerId: c, points: 33, at: now });
    await call('POST', `/v1/me/loyalty/${org.id}/leave`, people[2]!.token);
    // Another brand's member: not in this report.
    const outsider = await customer(t);
    await call('POST', `/v1/me/loyalty/${other.id}/join`, outsider.token);
    await creditPoints(t, {
      organizationId: other.id,
      customerId: outsider.user.id,
      points: 1000,
      at: now,
      expiresAt: at(5),
    });

    const manager = await staffOf(t, { organizationId: org.id, role: 'manager' });
    const res = await call('GET', `/v1/organizations/${org.id}/loyalty/liability`, manager.token);
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();

    // The same figures from the lots and the holds themselves (not the counters).
    const db = t.db.database.db;
    const lots = await sql<{ outstanding: number; pending: number; expiring: number }>`
      SELECT coalesce(sum(l.remaining), 0)::int AS outstanding,
             coalesce(sum(l.remaining) FILTER (WHERE l.available_at > ${now}), 0)::int AS pending,
             coalesce(sum(l.remaining) FILTER (WHERE l.expires_at > ${now} AND l.expires_at <= ${at(30)}), 0)::int AS expiring
      FROM loyalty_lots l JOIN loyalty_members m ON m.id = l.member_id WHERE m.organization_id = ${org.id}`.execute(db);
    const held = await sql<{ held: number }>`
      SELECT coalesce(sum(points), 0)::int AS held FROM loyalty_reward_holds
      WHERE organization_id = ${org.id} AND status = 'held'`.execute(db);
    const expected = lots.rows[0]!;
    expect(expected).toEqual({ outstanding: 500 + 80 + 40 + 60 + 15 + 9 + 33, pending: 60, expiring: 500 + 80 + 60 });
    expect(report).toEqual({
      organization_id: org.id,
      as_of: '2026-12-07T12:00:00Z',
      members: 2,
      points_outstanding: expected.outstanding,
      points_pending: expected.pending,
      points_held: held.rows[0]!.held,
      debt: 0,
      expiring_30_days: expected.expiring,
      valuation: { reward_id: rewardId, reward_name: 'Free pizza', points: 400, cost: 300 },
      // Without the stores' currencies (tenancy not given to the module) the value is not priced.
      value:
        report.currencies.length === 1 ? { amount: valueOf(expected.outstanding, 300, 400), currency: 'EUR' } : null,
      currencies: report.currencies,
    });
    expect(report.points_held).toBe(400);

    // With the stores' currencies: one currency, so the value is priced in it.
    const withStores = createLiabilityReport({ db, clock: () => now, tenancy: t.modules.tenancy });
    const priced = await withStores.report(
      {
        kind: 'user',
        userId: manager.user.id,
        platformAdmin: false,
        grants: [{ role: 'manager', organizationId: org.id, storeId: null }],
      },
      org.id,
    );
    expect(priced.currencies).toEqual(['EUR']);
    expect(priced.value).toEqual({ amount: Math.floor((expected.outstanding * 300) / 400), currency: 'EUR' });
    await createStore(t, {
      organizationId: org.id,
      currency: 'USD',
      timezone: 'America/New_York',
      address: { line1: '1 Main St', city: 'New York', postal_code: '10001', country: 'US' },
    });
    const mixed = await withStores.report(
      {
        kind: 'user',
        userId: manager.user.id,
        platformAdmin: false,
        grants: [{ role: 'manager', organizationId: org.id, storeId: null }],
      },
      org.id,
    );
    expect(mixed).toMatchObject({ currencies: ['EUR', 'USD'], value: null });
  });

  it('when floor staff, a customer or another brand’s owner ask, then 403, 403 and 404', async () => {
    const url = `/v1/organizations/${org.id}/loyalty/liability`;
    const floor = await staffOf(t, { organizationId: org.id, role: 'staff' });
    expect((await call('GET', url, floor.token)).statusCode).toBe(403);
    expect((await call('GET', url, (await customer(t)).token)).statusCode).toBe(403);
    expect((await call('GET', url, other.owner.token)).statusCode).toBe(404);
    const none = await createOrganization(t);
    const res = await call('GET', `/v1/organizations/${none.id}/loyalty/liability`, none.owner.token);
    expect(res.json().code).toBe('LOYALTY_PROGRAM_NOT_FOUND');
  });
});
