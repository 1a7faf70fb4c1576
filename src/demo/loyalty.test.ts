// Slice Club as the walkthrough meets it, on the demo data: the demo customer is a Bronze member
// with 120 points; "Free Cola" takes the Cola off the walkthrough's basket (after the Pizza +
// drink combo); fulfilling the order spends the 100 points and earns 1 point per whole dollar of
// food; a new sign-up joins the program (development).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test-support/harness.js';
import { bearer, signIn } from '../test-support/identity-factories.js';
import { fulfil } from '../test-support/payments-factories.js';
import { waitFor } from '../test-support/wait.js';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemoIfEmpty } from './seed.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await seedDemoIfEmpty(t.db.database.db, t.modules);
  await t.startWorker();
});
afterAll(async () => {
  await t?.close();
});

async function demoFacts() {
  const stores = (await t.app.inject({ method: 'GET', url: '/v1/stores?org=demo-pizzeria' })).json().data as Array<{
    id: string;
    timezone: string;
    organization_id: string;
  }>;
  const brooklyn = stores.find((store) => store.timezone === 'America/New_York')!;
  const menu = (await t.app.inject({ method: 'GET', url: `/v1/stores/${brooklyn.id}/menu?channel=pickup` })).json();
  type Item = {
    id: string;
    name: string;
    variants: Array<{ id: string }>;
    modifier_groups: Array<{ min_select: number; options: Array<{ id: string }> }>;
  };
  const items = (menu.menus as Array<{ categories: Array<{ items: Item[] }> }>).flatMap((m) =>
    m.categories.flatMap((c) => c.items),
  );
  const pizza = items.find((item) => item.name === 'Margherita')!;
  const cola = items.find((item) => item.name === 'Cola')!;
  const basket = {
    channel: 'pickup',
    lines: [
      {
        item_id: pizza.id,
        variant_id: pizza.variants[0]!.id,
        quantity: 2,
        modifiers: pizza.modifier_groups.filter((g) => g.min_select > 0).map((g) => ({ option_id: g.options[0]!.id })),
      },
      { item_id: cola.id, quantity: 1 },
    ],
  };
  return { brooklyn, basket };
}

describe('Slice Club on the demo data', () => {
  it('when the demo customer uses "Free Cola" on the walkthrough basket, then the Cola comes off, the order spends 100 of their 120 points, and picking it up earns a point per whole dollar of food', async () => {
    const { brooklyn, basket } = await demoFacts();
    const terms = (
      await t.app.inject({ method: 'GET', url: `/v1/organizations/${brooklyn.organization_id}/loyalty` })
    ).json();
    expect(terms.name).toBe('Slice Club');
    const freeCola = (terms.rewards as Array<{ id: string; name: string; points: number }>).find(
      (r) => r.name === 'Free Cola',
    )!;
    expect(freeCola.points).toBe(100);
    const token = await signIn(t, { email: DEMO_ACCOUNTS.customer, password: DEMO_PASSWORD });
    const mine = (await t.app.inject({ method: 'GET', url: '/v1/me/loyalty', headers: bearer(token) })).json().data;
    expect(mine).toEqual([
      expect.objectContaining({
        program_name: 'Slice Club',
        points_available: 120,
        tier: expect.objectContaining({ name: 'Bronze' }),
      }),
    ]);

    const body = { ...basket, reward_id: freeCola.id };
    const quoted = await t.app.inject({
      method: 'POST',
      url: `/v1/stores/${brooklyn.id}/quotes`,
      headers: bearer(token),
      payload: body,
    });
    const quote = quoted.json();
    expect(quote.problems).toEqual([]);
    expect(quote.reward).toMatchObject({ name: 'Free Cola', points: 100 });
    expect(quote.reward.amount.amount).toBeGreaterThan(0);

    const placed = await t.app.inject({
      method: 'POST',
      url: `/v1/stores/${brooklyn.id}/orders`,
      headers: { ...bearer(token), 'idempotency-key': crypto.randomUUID() },
      payload: body,
    });
    expect(placed.statusCode, placed.body).toBe(201);
    const order = placed.json();
    const owner = await signIn(t, { email: DEMO_ACCOUNTS.owner, password: DEMO_PASSWORD });
    await fulfil(t, owner, order.id);
    const food = order.totals.subtotal.amount - order.totals.discounts.amount;
    const expected = 120 - 100 + Math.floor(food / 100);
    const after = await waitFor('the points for the order', async () => {
      const data = (await t.app.inject({ method: 'GET', url: '/v1/me/loyalty', headers: bearer(token) })).json().data;
      return data[0]?.points_available === expected && data[0];
    });
    expect(after.points_available).toBe(expected);
    expect(await t.modules.loyalty.api.audit(t.db.database.db)).toEqual([]);
  });

  it('when a new customer signs up, then the outbox makes them a member of Slice Club, consent recorded as given at sign-up', async () => {
    const email = `new-${crypto.randomUUID()}@example.test`;
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { email, password: 'a-long-password-1', name: 'New Guest' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const member = await waitFor('the membership', async () => {
      const { rows } = await sql<{ consent: string; tier: string }>`
        SELECT m.consent, m.tier FROM loyalty_members m JOIN users u ON u.id = m.customer_id
        WHERE u.id = ${res.json().id}`.execute(t.db.database.db);
      return rows[0];
    });
    expect(member).toEqual({ consent: 'sign_up', tier: 'bronze' });
  });
});
