import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { lastAudit } from '../../test-support/audit-factories.js';
import { importCatalog, type CatalogIds } from '../../test-support/catalog-factories.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { apiKey, customer, staffOf } from '../../test-support/identity-factories.js';
import { createOrganization, type TestOrganization } from '../../test-support/tenancy-factories.js';
import { caller, sliceClub } from './test-helpers.js';

let t: TestApp;
let call: ReturnType<typeof caller>;
let org: TestOrganization;
let other: TestOrganization;
let ids: CatalogIds;
let otherIds: CatalogIds;
const now = new Date('2026-12-07T12:00:00Z');

beforeAll(async () => {
  t = await createTestApp({}, { clock: () => now });
  call = caller(t);
  org = await createOrganization(t);
  other = await createOrganization(t);
  ids = await importCatalog(t, org.id);
  otherIds = await importCatalog(t, other.id);
});
afterAll(async () => {
  await t.close();
});

const programUrl = (organizationId: string) => `/v1/organizations/${organizationId}/loyalty`;
const rewardsUrl = (organizationId: string) => `${programUrl(organizationId)}/rewards`;

describe('the program', () => {
  it('when a brand has no program, then its public terms are 404 LOYALTY_PROGRAM_NOT_FOUND', async () => {
    const res = await call('GET', programUrl(uuidv7()), null);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('LOYALTY_PROGRAM_NOT_FOUND');
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('when the owner creates the program and replaces it with If-Match, then anyone reads the terms, stale versions are 412 and both writes are audited', async () => {
    const created = await call('PUT', programUrl(org.id), org.owner.token, sliceClub());
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers.location).toBe(programUrl(org.id));
    expect(created.headers.etag).toBe('"1"');
    expect(created.json()).toMatchObject({
      organization_id: org.id,
      name: 'Slice Club',
      active: true,
      join_at_sign_up: false,
      lock_days: 0,
      expiry_months: 12,
      tiers: sliceClub().tiers,
      rewards: [],
      version: 1,
    });

    const read = await call('GET', programUrl(org.id), null);
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe('"1"');
    expect(read.headers['cache-control']).toContain('public');
    expect(read.json()).toEqual(created.json());

    const replaced = await call(
      'PUT',
      programUrl(org.id),
      org.owner.token,
      sliceClub({
        name: 'Slice Club+',
        accrual: {
          points_per_unit: 2,
          per_visit: 5,
          per_item: [{ item_id: ids.items.margherita!, points: 3 }],
          per_category: [{ category_id: ids.categories.drinks!, points: 1 }],
          multipliers: [
            {
              name: 'Double week',
              starts_at: '2026-12-14T00:00:00Z',
              ends_at: '2026-12-21T00:00:00Z',
              multiplier_bps: 20_000,
            },
          ],
        },
      }),
      { 'if-match': '"1"' },
    );
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.headers.etag).toBe('"2"');
    expect(replaced.json()).toMatchObject({ name: 'Slice Club+', version: 2, accrual: { per_visit: 5 } });

    const stale = await call('PUT', programUrl(org.id), org.owner.token, sliceClub(), { 'if-match': '"1"' });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().code).toBe('PRECONDITION_FAILED');
    expect((await call('GET', programUrl(org.id), null)).json().name).toBe('Slice Club+');

    const audit = await lastAudit(t, org.owner, org.id, 'loyalty.program.replaced', org.id);
    expect(audit.changes.before).toMatchObject({ name: 'Slice Club', version: 1 });
    expect(audit.changes.after).toMatchObject({ name: 'Slice Club+', version: 2 });
    await lastAudit(t, org.owner, org.id, 'loyalty.program.created', org.id);
  });

  it('when the terms break their rules, then it is 422 INVALID_LOYALTY_PROGRAM listing every problem at its pointer, and nothing changes', async () => {
    const res = await call(
      'PUT',
      programUrl(org.id),
      org.owner.token,
      sliceClub({
        accrual: {
          points_per_unit: 1,
          per_item: [
            { item_id: otherIds.items.margherita!, points: 1 },
            { item_id: ids.items.diavola!, points: 1 },
            { item_id: ids.items.diavola!, points: 2 },
          ],
          per_category: [{ category_id: uuidv7(), points: 1 }],
          multipliers: [
            {
              name: 'Backwards',
              starts_at: '2026-12-21T00:00:00Z',
              ends_at: '2026-12-14T00:00:00Z',
              multiplier_bps: 20_000,
            },
          ],
        },
        tiers: [
          { key: 'bronze', name: 'Bronze', threshold: 10, multiplier_bps: 10_000, perks: [] },
          { key: 'silver', name: 'Silver', threshold: 5, multiplier_bps: 12_500, perks: [] },
          { key: 'bronze', name: 'Bronze again', threshold: 900, multiplier_bps: 12_500, perks: [] },
        ],
      }),
    );
    expect(res.statusCode, res.body).toBe(422);
    const body = res.json();
    expect(body.code).toBe('INVALID_LOYALTY_PROGRAM');
    expect(body.errors.map((e: { code: string; path: string }) => `${e.code} ${e.path}`).sort()).toEqual(
      [
        'BONUS_REPEATED /body/accrual/per_item/2/item_id',
        'MULTIPLIER_WINDOW_INVALID /body/accrual/multipliers/0/ends_at',
        'TIERS_NOT_ASCENDING /body/tiers/1/threshold',
        'TIER_FIRST_NOT_ZERO /body/tiers/0/threshold',
        'TIER_KEY_TAKEN /body/tiers/2/key',
        'UNKNOWN_CATEGORY /body/accrual/per_category/0/category_id',
        'UNKNOWN_ITEM /body/accrual/per_item/0/item_id',
      ].sort(),
    );
    expect((await call('GET', programUrl(org.id), null)).json().version).toBe(2);
  });

  it('when a multiplier is below ×1 or an unknown field is sent, then the schema refuses it (400)', async () => {
    const low = sliceClub();
    low.tiers[0]!.multiplier_bps = 9_999;
    const res = await call('PUT', programUrl(org.id), org.owner.token, low);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
    expect((await call('PUT', programUrl(org.id), org.owner.token, sliceClub({ colour: 'red' }))).statusCode).toBe(400);
  });

  it('when the new terms drop a tier members hold, then it is 422 TIER_IN_USE', async () => {
    const member = await customer(t);
    expect((await call('POST', `/v1/me/loyalty/${org.id}/join`, member.token)).statusCode).toBe(201);
    const res = await call('PUT', programUrl(org.id), org.owner.token, {
      ...sliceClub(),
      tiers: [{ key: 'member', name: 'Member', threshold: 0, multiplier_bps: 10_000, perks: [] }],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0]).toMatchObject({ code: 'TIER_IN_USE', path: '/body/tiers' });
  });

  it('when a manager, staff, a customer or another brand’s owner writes the terms, then 403 or 404; with no credentials 401', async () => {
    const manager = await staffOf(t, { organizationId: org.id, role: 'manager' });
    expect((await call('PUT', programUrl(org.id), manager.token, sliceClub())).statusCode).toBe(403);
    const shopper = await customer(t);
    expect((await call('PUT', programUrl(org.id), shopper.token, sliceClub())).statusCode).toBe(403);
    expect((await call('PUT', programUrl(org.id), other.owner.token, sliceClub())).statusCode).toBe(404);
    expect((await call('PUT', programUrl(org.id), null, sliceClub())).statusCode).toBe(401);
  });
});

describe('rewards', () => {
  const freeCola = () => ({
    name: 'Free Lemonade',
    description: 'One lemonade on us',
    points: 100,
    cost: 120,
    effect: { type: 'free_item', item_ids: [ids.items.lemonade!] },
  });

  it('when a manager creates, reads, lists, patches and deletes a reward, then the public terms follow, versions are checked and each write is audited', async () => {
    const manager = await staffOf(t, { organizationId: org.id, role: 'manager' });
    const created = await call('POST', rewardsUrl(org.id), manager.token, freeCola());
    expect(created.statusCode, created.body).toBe(201);
    const reward = created.json();
    expect(created.headers.location).toBe(`${rewardsUrl(org.id)}/${reward.id}`);
    expect(reward).toEqual({
      id: expect.any(String),
      organization_id: org.id,
      ...freeCola(),
      active: true,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const tag = created.headers.etag as string;
    expect(tag).toMatch(/^"\d+"$/);

    const terms = (await call('GET', programUrl(org.id), null)).json();
    expect(terms.rewards).toEqual([
      {
        id: reward.id,
        name: 'Free Lemonade',
        description: 'One lemonade on us',
        points: 100,
        effect: freeCola().effect,
      },
    ]);

    const read = await call('GET', `${rewardsUrl(org.id)}/${reward.id}`, manager.token);
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe(tag);

    const patched = await call(
      'PATCH',
      `${rewardsUrl(org.id)}/${reward.id}`,
      manager.token,
      { points: 90, active: false },
      { 'if-match': tag },
    );
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ points: 90, active: false });
    expect(patched.headers.etag).not.toBe(tag);
    const stale = await call(
      'PATCH',
      `${rewardsUrl(org.id)}/${reward.id}`,
      manager.token,
      { points: 80 },
      { 'if-match': tag },
    );
    expect(stale.statusCode).toBe(412);
    // Inactive: managed, not offered.
    expect((await call('GET', programUrl(org.id), null)).json().rewards).toEqual([]);
    const listed = await call('GET', `${rewardsUrl(org.id)}?limit=100`, manager.token);
    expect(listed.json().data.map((r: { id: string }) => r.id)).toContain(reward.id);

    const audit = await lastAudit(t, org.owner, org.id, 'loyalty.reward.updated', reward.id);
    expect(audit.changes.before).toMatchObject({ points: 100, active: true });
    expect(audit.changes.after).toMatchObject({ points: 90, active: false });

    expect((await call('DELETE', `${rewardsUrl(org.id)}/${reward.id}`, manager.token)).statusCode).toBe(204);
    expect((await call('GET', `${rewardsUrl(org.id)}/${reward.id}`, manager.token)).statusCode).toBe(404);
    expect((await call('PATCH', `${rewardsUrl(org.id)}/${reward.id}`, manager.token, { points: 1 })).statusCode).toBe(
      404,
    );
    const after = await call('GET', `${rewardsUrl(org.id)}?limit=100`, manager.token);
    expect(after.json().data.map((r: { id: string }) => r.id)).not.toContain(reward.id);
    await lastAudit(t, org.owner, org.id, 'loyalty.reward.deleted', reward.id);
  });

  it('when a reward frees another brand’s item, then it is 422 INVALID_REWARD with UNKNOWN_ITEM at the pointer', async () => {
    const res = await call('POST', rewardsUrl(org.id), org.owner.token, {
      ...freeCola(),
      effect: { type: 'free_item', item_ids: [ids.items.lemonade!, otherIds.items.lemonade!] },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'INVALID_REWARD',
      errors: [{ code: 'UNKNOWN_ITEM', path: '/body/effect/item_ids/1' }],
    });
    const off = await call('POST', rewardsUrl(org.id), org.owner.token, {
      name: '5.00 off',
      points: 400,
      effect: { type: 'amount_off', amount: 500 },
    });
    expect(off.statusCode, off.body).toBe(201);
    expect(off.json()).toMatchObject({ cost: 0, description: null, effect: { type: 'amount_off', amount: 500 } });
  });

  it('when another brand’s owner reads or writes this brand’s rewards, then every answer is 404; staff get 403', async () => {
    const mine = (await call('POST', rewardsUrl(org.id), org.owner.token, freeCola())).json();
    const url = `${rewardsUrl(org.id)}/${mine.id}`;
    expect((await call('GET', rewardsUrl(org.id), other.owner.token)).statusCode).toBe(404);
    expect((await call('GET', url, other.owner.token)).statusCode).toBe(404);
    expect((await call('PATCH', url, other.owner.token, { points: 1 })).statusCode).toBe(404);
    expect((await call('DELETE', url, other.owner.token)).statusCode).toBe(404);
    expect((await call('POST', rewardsUrl(org.id), other.owner.token, freeCola())).statusCode).toBe(404);
    // Through its own organization's path, the reward of another brand is not found either.
    await call('PUT', programUrl(other.id), other.owner.token, sliceClub());
    expect((await call('GET', `${rewardsUrl(other.id)}/${mine.id}`, other.owner.token)).statusCode).toBe(404);
    const floor = await staffOf(t, { organizationId: org.id, role: 'staff' });
    expect((await call('GET', rewardsUrl(org.id), floor.token)).statusCode).toBe(403);
    expect((await call('GET', url, org.owner.token)).json().points).toBe(100);
  });

  it('when an API key holds loyalty:read, then it lists the rewards but may not write them; loyalty:write may', async () => {
    const reader = await apiKey(t, org.owner.token, org.id, ['loyalty:read']);
    expect((await call('GET', rewardsUrl(org.id), reader)).statusCode).toBe(200);
    expect((await call('POST', rewardsUrl(org.id), reader, freeCola())).statusCode).toBe(403);
    const writer = await apiKey(t, org.owner.token, org.id, ['loyalty:write']);
    expect((await call('POST', rewardsUrl(org.id), writer, freeCola())).statusCode).toBe(201);
    expect((await call('GET', rewardsUrl(other.id), reader)).statusCode).toBe(404);
  });

  it('when the brand has no program yet, then creating a reward is 404 LOYALTY_PROGRAM_NOT_FOUND', async () => {
    const fresh = await createOrganization(t);
    const res = await call('POST', rewardsUrl(fresh.id), fresh.owner.token, {
      ...freeCola(),
      effect: { type: 'amount_off', amount: 100 },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('LOYALTY_PROGRAM_NOT_FOUND');
  });
});
