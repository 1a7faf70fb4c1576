import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { lastAudit } from '../../test-support/audit-factories.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { apiKey, customer, staffOf } from '../../test-support/identity-factories.js';
import { createOrganization, type TestOrganization } from '../../test-support/tenancy-factories.js';
import { expiryOf } from './model.js';
import { loyaltyRepo } from './repo.js';
import { caller, creditPoints, holdPoints, sliceClub } from './test-helpers.js';

const DAY = 86_400_000;
const now = new Date('2026-12-07T12:00:00Z');
let t: TestApp;
let call: ReturnType<typeof caller>;
let org: TestOrganization;
let other: TestOrganization;
let rewardId: string;

beforeAll(async () => {
  t = await createTestApp({}, { clock: () => now });
  call = caller(t);
  org = await createOrganization(t);
  other = await createOrganization(t);
  expect(
    (await call('PUT', `/v1/organizations/${org.id}/loyalty`, org.owner.token, sliceClub({ lock_days: 3 }))).statusCode,
  ).toBe(201);
  const reward = await call('POST', `/v1/organizations/${org.id}/loyalty/rewards`, org.owner.token, {
    name: '1.00 off',
    points: 20,
    effect: { type: 'amount_off', amount: 100 },
  });
  rewardId = reward.json().id;
  expect(
    (await call('PUT', `/v1/organizations/${other.id}/loyalty`, other.owner.token, sliceClub({ name: 'Other Club' })))
      .statusCode,
  ).toBe(201);
});
afterAll(async () => {
  await t.close();
});

const join = (orgId: string, token: string) => call('POST', `/v1/me/loyalty/${orgId}/join`, token);
const adjust = (customerId: string, token: string, body: unknown, key = uuidv7()) =>
  call('POST', `/v1/organizations/${org.id}/loyalty/members/${customerId}/adjustments`, token, body, {
    'idempotency-key': key,
  });

describe('joining and the member’s standing', () => {
  it('when a customer joins, joins again, leaves and comes back, then 201, 200, 204 and 201, keeping the points', async () => {
    const member = await customer(t);
    const first = await join(org.id, member.token);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.headers.location).toBe(`/v1/me/loyalty/${org.id}`);
    expect(first.json()).toEqual({
      organization_id: org.id,
      program_name: 'Slice Club',
      status: 'active',
      points_available: 0,
      points_pending: 0,
      points_held: 0,
      debt: 0,
      tier: { key: 'bronze', name: 'Bronze', multiplier_bps: 10_000, perks: [], since: '2026-12-07T12:00:00Z' },
      next_tier: { key: 'silver', name: 'Silver', threshold: 500, remaining: 500 },
      expiring: [],
      joined_at: '2026-12-07T12:00:00Z',
    });
    const row = await loyaltyRepo.findMember(t.db.database.db, org.id, member.user.id);
    expect(row).toMatchObject({ consent: 'join', status: 'active', tier: 'bronze' });
    expect((await join(org.id, member.token)).statusCode).toBe(200);

    await creditPoints(t, { organizationId: org.id, customerId: member.user.id, points: 40, at: now, kind: 'adjust' });
    expect((await call('POST', `/v1/me/loyalty/${org.id}/leave`, member.token)).statusCode).toBe(204);
    expect((await call('POST', `/v1/me/loyalty/${org.id}/leave`, member.token)).statusCode).toBe(204);
    expect((await call('GET', '/v1/me/loyalty', member.token)).json().data).toEqual([]);
    expect((await call('GET', `/v1/me/loyalty/${org.id}`, member.token)).json()).toMatchObject({ status: 'left' });
    const back = await join(org.id, member.token);
    expect(back.statusCode).toBe(201);
    expect(back.json()).toMatchObject({ status: 'active', points_available: 40 });
  });

  it('when the brand has no active program, or the caller is an API key or no one, then joining is 404, 403 or 401', async () => {
    const member = await customer(t);
    const res = await join(uuidv7(), member.token);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('LOYALTY_PROGRAM_NOT_FOUND');
    const paused = await createOrganization(t);
    await call('PUT', `/v1/organizations/${paused.id}/loyalty`, paused.owner.token, sliceClub({ active: false }));
    expect((await join(paused.id, member.token)).statusCode).toBe(404);
    const key = await apiKey(t, org.owner.token, org.id, ['loyalty:read']);
    expect((await join(org.id, key)).statusCode).toBe(403);
    expect((await call('POST', `/v1/me/loyalty/${org.id}/join`, null)).statusCode).toBe(401);
    expect((await call('POST', `/v1/me/loyalty/${org.id}/leave`, member.token)).json().code).toBe(
      'LOYALTY_MEMBER_NOT_FOUND',
    );
  });

  it('when a member has spendable, locked, lock-ended-but-unswept and held points, then the view counts each where it belongs, with what expires soon by date', async () => {
    const member = await customer(t);
    await join(org.id, member.token);
    await join(other.id, member.token);
    const id = member.user.id;
    const at = (days: number) => new Date(now.getTime() + days * DAY);
    // Spendable since 10 days ago, expiring in 20 days (two lots on one day) and in 200 days.
    await creditPoints(t, { organizationId: org.id, customerId: id, points: 100, at: at(-10), expiresAt: at(20) });
    await creditPoints(t, { organizationId: org.id, customerId: id, points: 30, at: at(-10), expiresAt: at(20) });
    await creditPoints(t, { organizationId: org.id, customerId: id, points: 70, at: at(-10), expiresAt: at(200) });
    // A reward on an open order holds 60 (placing it vests what is due, so it goes before the lots below).
    await holdPoints(t, { organizationId: org.id, customerId: id, rewardId, points: 60, at: now });
    // Locked until 2 days from now.
    await creditPoints(t, {
      organizationId: org.id,
      customerId: id,
      points: 50,
      at: at(-1),
      availableAt: at(2),
      expiresAt: at(45),
    });
    // Its lock period ended an hour ago; no sweep has vested it.
    await creditPoints(t, {
      organizationId: org.id,
      customerId: id,
      points: 25,
      at: at(-3),
      availableAt: new Date(now.getTime() - 3_600_000),
    });
    await creditPoints(t, { organizationId: other.id, customerId: id, points: 7, at: now });
    // The stored counter still counts the 25 as pending: the view must not.
    expect((await loyaltyRepo.findMember(t.db.database.db, org.id, id))!.pending).toBe(75);

    const res = await call('GET', '/v1/me/loyalty', member.token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    const [mine, theirs] = res.json().data;
    // Balance 275: 50 still locked, 60 held, so 165 spendable (the 25 whose lock ended included).
    expect(mine).toMatchObject({
      organization_id: org.id,
      points_available: 165,
      points_pending: 50,
      points_held: 60,
      debt: 0,
      next_tier: { key: 'silver', remaining: 500 - 275 },
      expiring: [
        { points: 130, on: at(20).toISOString().slice(0, 10) },
        { points: 50, on: at(45).toISOString().slice(0, 10) },
      ],
    });
    expect(theirs).toMatchObject({ organization_id: other.id, program_name: 'Other Club', points_available: 7 });
  });
});

describe('activity', () => {
  it('when a member’s entries are paged newest first, then the pages cover every entry once, in id order, with each credit’s lot dates', async () => {
    const member = await customer(t);
    await join(org.id, member.token);
    const made: string[] = [];
    for (let i = 0; i < 7; i++)
      made.push(
        await creditPoints(t, {
          organizationId: org.id,
          customerId: member.user.id,
          points: i + 1,
          at: now,
          availableAt: new Date(now.getTime() + 3 * DAY),
          expiresAt: expiryOf(now, 12),
          orderId: uuidv7(),
        }),
      );
    const seen: Array<{ id: string; points: number; available_at: string; expires_at: string; kind: string }> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/v1/me/loyalty/${org.id}/activity?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await call('GET', url, member.token);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json();
      seen.push(...page.data);
      cursor = page.next_cursor;
      expect(page.has_more).toBe(cursor !== null);
      pages++;
      // An entry written between pages lands before the cursor: no duplicate, no gap below it.
      if (pages === 1)
        await creditPoints(t, {
          organizationId: org.id,
          customerId: member.user.id,
          points: 99,
          at: now,
          kind: 'adjust',
        });
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen.map((e) => e.id)).toEqual([...made].reverse());
    expect(seen[0]).toMatchObject({
      kind: 'earn',
      points: 7,
      available_at: '2026-12-10T12:00:00Z',
      expires_at: '2027-12-07T12:00:00Z',
      reward_id: null,
    });
    const fresh = (await call('GET', `/v1/me/loyalty/${org.id}/activity?limit=1`, member.token)).json();
    expect(fresh.data[0]).toMatchObject({ kind: 'adjust', points: 99 });
    expect((await call('GET', `/v1/me/loyalty/${org.id}/activity?cursor=bm9wZQ`, member.token)).statusCode).toBe(400);
    const stranger = await customer(t);
    expect((await call('GET', `/v1/me/loyalty/${org.id}/activity`, stranger.token)).json().code).toBe(
      'LOYALTY_MEMBER_NOT_FOUND',
    );
  });
});

describe('staff: lookup and adjustments', () => {
  it('when staff look a member up, then they see the standing and the tier changes; another brand’s owner gets 404', async () => {
    const member = await customer(t);
    await join(org.id, member.token);
    const floor = await staffOf(t, { organizationId: org.id, role: 'staff' });
    const res = await call('GET', `/v1/organizations/${org.id}/loyalty/members/${member.user.id}`, floor.token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      customer_id: member.user.id,
      consent: 'join',
      balance: 0,
      standing: { tier: { key: 'bronze' } },
      tier_changes: [
        { from_tier: null, to_tier: 'bronze', reason: 'joined', qualifying: 0, changed_at: '2026-12-07T12:00:00Z' },
      ],
    });
    expect(
      (await call('GET', `/v1/organizations/${org.id}/loyalty/members/${member.user.id}`, other.owner.token))
        .statusCode,
    ).toBe(404);
    const nobody = await call('GET', `/v1/organizations/${org.id}/loyalty/members/${uuidv7()}`, floor.token);
    expect(nobody.json().code).toBe('LOYALTY_MEMBER_NOT_FOUND');
  });

  it('when a manager credits and takes points, then the ledger, the standing and the audit log follow; taking more than can go is 422 with nothing written', async () => {
    const member = await customer(t);
    await join(org.id, member.token);
    const id = member.user.id;
    const manager = await staffOf(t, { organizationId: org.id, role: 'manager' });
    // 40 locked for 3 more days, and 20 held by an open order.
    await creditPoints(t, {
      organizationId: org.id,
      customerId: id,
      points: 40,
      at: now,
      availableAt: new Date(now.getTime() + 3 * DAY),
    });

    const plus = await adjust(id, manager.token, { points: 150, reason: 'Birthday gift' });
    expect(plus.statusCode, plus.body).toBe(200);
    expect(plus.json()).toMatchObject({ balance: 190, standing: { points_available: 150, points_pending: 40 } });
    await holdPoints(t, { organizationId: org.id, customerId: id, rewardId, points: 20, at: now });

    const activity = (await call('GET', `/v1/me/loyalty/${org.id}/activity`, member.token)).json().data;
    expect(activity[0]).toMatchObject({
      kind: 'adjust',
      points: 150,
      reason: 'Birthday gift',
      expires_at: '2027-12-07T12:00:00Z',
    });

    // 190 − 20 held = 170 can go (the 40 locked included); 171 cannot.
    const tooMuch = await adjust(id, manager.token, { points: -171, reason: 'Too much' });
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.json().code).toBe('ADJUSTMENT_EXCEEDS_BALANCE');
    const entries = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM loyalty_entries e JOIN loyalty_members m ON m.id = e.member_id WHERE m.customer_id = ${id}`.execute(
      t.db.database.db,
    );
    expect(entries.rows[0]!.n).toBe(2);

    const minus = await adjust(id, manager.token, { points: -170, reason: 'Fraudulent orders' });
    expect(minus.statusCode, minus.body).toBe(200);
    expect(minus.json()).toMatchObject({
      balance: 20,
      standing: { points_available: 0, points_pending: 0, points_held: 20 },
    });
    const audit = await lastAudit(t, org.owner, org.id, 'loyalty.points.adjusted');
    expect(audit.actor).toEqual({ kind: 'user', id: manager.user.id });
    expect(audit.changes.after).toMatchObject({
      points: -170,
      reason: 'Fraudulent orders',
      balance: 20,
      customer_id: id,
    });
    // The ledger replays to what is stored (brigade check's replay).
    const memberId = (await loyaltyRepo.findMember(t.db.database.db, org.id, id))!.id;
    const findings = await t.modules.loyalty.api.audit(t.db.database.db);
    expect(findings.filter((f) => f.subject.includes(memberId))).toEqual([]);
  });

  it('when an adjustment is retried with its key, then it counts once; without a key, zero points or a short reason it is refused', async () => {
    const member = await customer(t);
    await join(org.id, member.token);
    const key = uuidv7();
    const first = await adjust(member.user.id, org.owner.token, { points: 10, reason: 'Sorry for the wait' }, key);
    const again = await adjust(member.user.id, org.owner.token, { points: 10, reason: 'Sorry for the wait' }, key);
    expect(first.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((await loyaltyRepo.findMember(t.db.database.db, org.id, member.user.id))!.balance).toBe(10);
    const url = `/v1/organizations/${org.id}/loyalty/members/${member.user.id}/adjustments`;
    expect((await call('POST', url, org.owner.token, { points: 1, reason: 'No key' })).json().code).toBe(
      'IDEMPOTENCY_KEY_REQUIRED',
    );
    expect((await adjust(member.user.id, org.owner.token, { points: 0, reason: 'Nothing' })).statusCode).toBe(400);
    expect((await adjust(member.user.id, org.owner.token, { points: 5, reason: 'no' })).statusCode).toBe(400);
    expect((await adjust(member.user.id, org.owner.token, { points: 5 })).statusCode).toBe(400);
    const floor = await staffOf(t, { organizationId: org.id, role: 'staff' });
    expect((await adjust(member.user.id, floor.token, { points: 5, reason: 'Staff try' })).statusCode).toBe(403);
    expect((await adjust(member.user.id, other.owner.token, { points: 5, reason: 'Outsider' })).statusCode).toBe(404);
  });
});
