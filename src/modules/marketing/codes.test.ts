import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemoIfEmpty } from '../../demo/seed.js';
import { auditEntries } from '../../test-support/audit-factories.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, signIn, staffOf } from '../../test-support/identity-factories.js';
import { createOrganization } from '../../test-support/tenancy-factories.js';
import { v7 as uuidv7 } from 'uuid';
import { codesRepo } from './codes-repo.js';
import { CODE_ALPHABET, randomCode } from './codes.js';

let t: TestApp;
let orgId: string;
let owner: string;
let demoCustomer: string;

beforeAll(async () => {
  t = await createTestApp();
  await seedDemoIfEmpty(t.db.database.db, t.modules);
  owner = await signIn(t, { email: DEMO_ACCOUNTS.owner, password: DEMO_PASSWORD });
  demoCustomer = await signIn(t, { email: DEMO_ACCOUNTS.customer, password: DEMO_PASSWORD });
  const stores = (await t.app.inject({ method: 'GET', url: '/v1/stores?org=demo-pizzeria' })).json().data as Array<{
    organization_id: string;
  }>;
  orgId = stores[0]!.organization_id;
});
afterAll(async () => {
  await t.close();
});

const promotionsUrl = (organizationId = orgId) => `/v1/organizations/${organizationId}/promotions`;
const call = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  token: string,
  payload?: unknown,
  headers: Record<string, string> = {},
) =>
  t.app.inject({
    method,
    url,
    headers: { ...bearer(token), ...headers },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });

async function codePromotion(kind: 'code' | 'automatic' = 'code', organizationId = orgId, token = owner) {
  const res = await call('POST', promotionsUrl(organizationId), token, {
    name: `Coupon ${Math.random()}`,
    kind,
    effect: { type: 'order_fixed', amount: 500 },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}

type Code = {
  id: string;
  promotion_id: string;
  code: string;
  usage_limit: number | null;
  uses: number;
  created_at: string;
};

describe('generated codes', () => {
  it('when codes are drawn, then they use the unambiguous alphabet after the prefix', () => {
    expect(CODE_ALPHABET).not.toMatch(/[01OIL]/);
    expect(new Set(CODE_ALPHABET).size).toBe(31);
    const code = randomCode('SPRING-', 12);
    expect(code).toMatch(new RegExp(`^SPRING-[${CODE_ALPHABET}]{12}$`));
  });

  it('when a manager generates a batch of 2,000 codes, then all are unique single-use codes with the prefix, and the CSV export lists each once', async () => {
    const promotionId = await codePromotion();
    const res = await call('POST', `${promotionsUrl()}/${promotionId}/codes`, owner, {
      count: 2000,
      prefix: 'SPRING-',
      length: 8,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers.location).toBe(`${promotionsUrl()}/${promotionId}/codes`);
    const codes = res.json<{ data: Code[] }>().data;
    expect(codes).toHaveLength(2000);
    expect(new Set(codes.map((c) => c.code.toUpperCase())).size).toBe(2000);
    for (const code of codes) {
      expect(code.code).toMatch(new RegExp(`^SPRING-[${CODE_ALPHABET}]{8}$`));
      expect(code).toMatchObject({ promotion_id: promotionId, usage_limit: 1, uses: 0 });
    }

    const promotion = (await call('GET', `${promotionsUrl()}/${promotionId}`, owner)).json();
    expect(promotion.codes_count).toBe(2000);

    for (const [url, headers] of [
      [`${promotionsUrl()}/${promotionId}/codes?format=csv`, {}],
      [`${promotionsUrl()}/${promotionId}/codes`, { accept: 'text/csv' }],
    ] as const) {
      const csv = await call('GET', url, owner, undefined, headers);
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const lines = csv.body.split('\r\n').filter((line) => line !== '');
      expect(lines[0]).toBe('code,usage_limit,uses,created_at');
      expect(lines).toHaveLength(2001);
      const exported = lines.slice(1).map((line) => line.split(','));
      expect(new Set(exported.map(([code]) => code))).toEqual(new Set(codes.map((c) => c.code)));
      expect(exported.every(([, limit, uses, at]) => limit === '1' && uses === '0' && /Z$/.test(at!))).toBe(true);
    }

    // JSON pages walk the same codes once each.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Code[]; next_cursor: string | null } = (
        await call(
          'GET',
          `${promotionsUrl()}/${promotionId}/codes?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
          owner,
        )
      ).json();
      seen.push(...page.data.map((c) => c.code));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(seen).toHaveLength(2000);
    expect(new Set(seen)).toEqual(new Set(codes.map((c) => c.code)));
  });

  it('when a batch statement meets codes already taken (in any case), then it skips them and returns only what it inserted', async () => {
    const promotionId = await codePromotion();
    const shared = await call('POST', `${promotionsUrl()}/${promotionId}/codes`, owner, { code: 'TAKEN-CODE1' });
    expect(shared.statusCode).toBe(201);
    const rows = await codesRepo.insertBatch(t.db.database.db, {
      organizationId: orgId,
      promotionId,
      ids: [uuidv7(), uuidv7()],
      codes: ['taken-code1', 'FRESH-CODE1'],
    });
    expect(rows.map((row) => [row.code, row.usage_limit])).toEqual([['FRESH-CODE1', 1]]);
  });
});

describe('shared codes', () => {
  it('when a shared code is issued, then it is 201 with its Location, and the same code in another case is 409 CODE_TAKEN', async () => {
    const promotionId = await codePromotion();
    const res = await call('POST', `${promotionsUrl()}/${promotionId}/codes`, owner, {
      code: 'Winter25',
      usage_limit: 500,
    });
    expect(res.statusCode, res.body).toBe(201);
    const [code] = res.json<{ data: Code[] }>().data;
    expect(code).toEqual({
      id: expect.any(String),
      promotion_id: promotionId,
      code: 'Winter25',
      usage_limit: 500,
      uses: 0,
      created_at: expect.any(String),
    });
    expect(res.headers.location).toBe(`${promotionsUrl()}/${promotionId}/codes/${code!.id}`);
    expect((await call('GET', res.headers.location as string, owner)).json()).toEqual(code);

    const again = await call('POST', `${promotionsUrl()}/${promotionId}/codes`, owner, { code: 'WINTER25' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('CODE_TAKEN');
    const elsewhere = await codePromotion();
    const other = await call('POST', `${promotionsUrl()}/${elsewhere}/codes`, owner, { code: 'winter25' });
    expect(other.json().code).toBe('CODE_TAKEN');

    // Another organization may issue the same code: uniqueness is per organization.
    const brand = await createOrganization(t);
    const theirs = await codePromotion('code', brand.id, brand.owner.token);
    const theirCode = await call('POST', `${promotionsUrl(brand.id)}/${theirs}/codes`, brand.owner.token, {
      code: 'WINTER25',
    });
    expect(theirCode.statusCode, theirCode.body).toBe(201);
  });

  it('when codes are asked of an automatic promotion, or a code promotion with codes is made automatic, then it is 422', async () => {
    const automatic = await codePromotion('automatic');
    const res = await call('POST', `${promotionsUrl()}/${automatic}/codes`, owner, { code: 'AUTO123' });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('PROMOTION_NOT_CODE_KIND');
    const batch = await call('POST', `${promotionsUrl()}/${automatic}/codes`, owner, { count: 3 });
    expect(batch.json().code).toBe('PROMOTION_NOT_CODE_KIND');

    const coded = await codePromotion();
    await call('POST', `${promotionsUrl()}/${coded}/codes`, owner, { count: 1 });
    const flip = await call('PATCH', `${promotionsUrl()}/${coded}`, owner, { kind: 'automatic' });
    expect(flip.statusCode).toBe(422);
    expect(flip.json()).toMatchObject({ code: 'PROMOTION_HAS_CODES', errors: [{ path: '/body/kind' }] });
  });

  it('when a batch asks for the longest codes, then they fit; too many, too short or malformed codes are 400', async () => {
    const promotionId = await codePromotion();
    const long = await call('POST', `${promotionsUrl()}/${promotionId}/codes`, owner, {
      count: 1,
      prefix: 'ABCDEFGHIJKLMNOPQRSTUVWX',
      length: 16,
    });
    expect(long.statusCode, long.body).toBe(201);
    expect(long.json().data[0].code).toHaveLength(40);
    for (const body of [
      { count: 0 },
      { count: 10_001 },
      { count: 5, length: 7 },
      { code: 'no spaces' },
      { code: 'AB' },
    ]) {
      const res = await call('POST', `${promotionsUrl()}/${promotionId}/codes`, owner, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
    }
  });
});

describe('removal, access and audit', () => {
  it('when a code is withdrawn, then it is gone and can be issued again; every code change is audited with its actor', async () => {
    const manager = await staffOf(t, { organizationId: orgId, role: 'manager' });
    const promotionId = await codePromotion('code', orgId, manager.token);
    const created = await call('POST', `${promotionsUrl()}/${promotionId}/codes`, manager.token, { code: 'GONE2026' });
    const code = created.json<{ data: Code[] }>().data[0]!;
    await call('POST', `${promotionsUrl()}/${promotionId}/codes`, manager.token, { count: 3, prefix: 'A-' });
    const removed = await call('DELETE', `${promotionsUrl()}/${promotionId}/codes/${code.id}`, manager.token);
    expect(removed.statusCode).toBe(204);
    expect((await call('GET', `${promotionsUrl()}/${promotionId}/codes/${code.id}`, owner)).statusCode).toBe(404);
    expect((await call('DELETE', `${promotionsUrl()}/${promotionId}/codes/${code.id}`, owner)).statusCode).toBe(404);
    const reissued = await call('POST', `${promotionsUrl()}/${promotionId}/codes`, owner, { code: 'GONE2026' });
    expect(reissued.statusCode).toBe(201);

    const created1 = await auditEntries(t, { token: owner }, orgId, { target_id: code.id });
    expect(created1.map((e) => e.action)).toEqual([
      'marketing.promotion_code.deleted',
      'marketing.promotion_code.created',
    ]);
    expect(created1.every((e) => e.actor.id === manager.user.id)).toBe(true);
    expect(created1[1]!.changes.after).toMatchObject({ code: 'GONE2026', promotion_id: promotionId });
    const generated = await auditEntries(t, { token: owner }, orgId, {
      action: 'marketing.promotion_codes.generated',
      target_id: promotionId,
    });
    expect(generated).toHaveLength(1);
    expect(generated[0]!.changes.after).toMatchObject({ count: 3, prefix: 'A-' });
  });

  it('when a customer or another organization’s manager reaches for codes, then they are refused without learning anything', async () => {
    const promotionId = await codePromotion();
    const url = `${promotionsUrl()}/${promotionId}/codes`;
    expect((await call('GET', url, demoCustomer)).statusCode).toBe(403);
    expect((await call('GET', `${url}?format=csv`, demoCustomer)).statusCode).toBe(403);
    expect((await call('POST', url, demoCustomer, { code: 'STEAL123' })).statusCode).toBe(403);
    const brand = await createOrganization(t);
    const theirManager = await staffOf(t, { organizationId: brand.id, role: 'manager' });
    for (const [method, target, payload] of [
      ['GET', url, undefined],
      ['GET', `${url}?format=csv`, undefined],
      ['POST', url, { count: 2 }],
    ] as const) {
      const res = await call(method, target, theirManager.token, payload);
      expect(res.statusCode, `${method} ${target}`).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    // Their own organization's path does not reach this promotion's codes either.
    const viaOwn = await call('GET', `${promotionsUrl(brand.id)}/${promotionId}/codes`, theirManager.token);
    expect(viaOwn.statusCode).toBe(404);
  });
});
