import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test-support/harness.js';
import { bearer, login } from '../test-support/identity-factories.js';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, resetDemo, seedDemoIfEmpty } from './seed.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const demoStores = async () =>
  (await t.app.inject({ method: 'GET', url: '/v1/stores?org=demo-pizzeria' })).json().data as Array<{
    id: string;
    timezone: string;
    currency: string;
  }>;

describe('demo data', () => {
  it('when seeded on an empty database, then the brand, two stores in different zones, tables and accounts exist; a second seed does nothing', async () => {
    expect(await seedDemoIfEmpty(t.db.database.db, t.modules)).toBe(true);
    expect(await seedDemoIfEmpty(t.db.database.db, t.modules)).toBe(false);

    const stores = await demoStores();
    expect(stores).toHaveLength(2);
    expect(new Set(stores.map((store) => store.timezone))).toEqual(new Set(['Europe/Berlin', 'America/New_York']));
    expect(new Set(stores.map((store) => store.currency))).toEqual(new Set(['EUR', 'USD']));

    const owner = await login(t, { email: DEMO_ACCOUNTS.owner, password: DEMO_PASSWORD });
    const me = (await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(owner.access_token) })).json();
    expect(me.roles).toEqual([{ role: 'owner', organization_id: expect.any(String), store_id: null }]);

    // A realistic menu: 40+ items, sizes, modifier groups (one nested), two menus.
    const ids = await t.modules.catalog.api.idsByRef(me.roles[0].organization_id);
    expect(Object.keys(ids.items).length).toBeGreaterThanOrEqual(40);
    expect(Object.keys(ids.menus).sort()).toEqual(['all-day', 'around-the-clock', 'breakfast']);
    expect(Object.keys(ids.variants).length).toBeGreaterThan(0);
    expect(Object.keys(ids.modifier_groups).length).toBeGreaterThanOrEqual(4);

    const staff = await login(t, { email: DEMO_ACCOUNTS.staff, password: DEMO_PASSWORD });
    const tables = await t.app.inject({
      method: 'GET',
      url: `/v1/stores/${(await demoStores()).find((store) => store.timezone === 'Europe/Berlin')!.id}/tables`,
      headers: bearer(staff.access_token),
    });
    expect(tables.statusCode).toBe(200);
    expect(tables.json().data.length).toBeGreaterThanOrEqual(2);
  });

  it('when the demo is reset, then it is recreated fresh and the accounts still log in', async () => {
    const before = (await demoStores()).map((store) => store.id);
    await resetDemo(t.db.database.db, t.modules);
    const after = (await demoStores()).map((store) => store.id);
    expect(after).toHaveLength(2);
    expect(after.some((id) => before.includes(id))).toBe(false);
    await expect(login(t, { email: DEMO_ACCOUNTS.customer, password: DEMO_PASSWORD })).resolves.toMatchObject({
      token_type: 'Bearer',
    });
  });
});

describe('demo accounts in production', () => {
  it('when NODE_ENV=production, then a demo account cannot log in even if its row exists', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const production = await createTestApp({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://unused@127.0.0.1:5432/unused',
      JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      ARGON2_MEMORY_KIB: '19456',
      PAYMENTS_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      PII_ENCRYPTION_KEY: Buffer.alloc(32, 2).toString('base64'),
    });
    try {
      await seedDemoIfEmpty(production.db.database.db, production.modules);
      const res = await production.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: DEMO_ACCOUNTS.owner, password: DEMO_PASSWORD },
      });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('INVALID_CREDENTIALS');
    } finally {
      await production.close();
    }
  });
});
