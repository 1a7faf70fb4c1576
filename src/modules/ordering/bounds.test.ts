// Every money amount and quantity a customer sends is bounded by the schema (ADR 0021): a
// negative, huge or unsafe figure is a 400 validation problem, never a pricing fault (500).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { margheritaLine, orderingStore } from '../../test-support/ordering-factories.js';

let t: TestApp;
let shop: Awaited<ReturnType<typeof orderingStore>>;
beforeAll(async () => {
  t = await createTestApp();
  shop = await orderingStore(t);
});
afterAll(async () => {
  await t?.close();
});

// JSON text, so 1e20 and 9007199254740993 reach the server as written.
const quote = (body: string) =>
  t.app.inject({
    method: 'POST',
    url: `/v1/stores/${shop.store.id}/quotes`,
    headers: { 'content-type': 'application/json' },
    payload: body,
  });
const basket = (extra: string) => `{"channel":"pickup","lines":[${JSON.stringify(margheritaLine(shop.ids))}]${extra}}`;

describe('request bounds on a quote', () => {
  it.each(['-100', '1e20', '9007199254740993', '10000001', '12.5'])(
    'when the tip amount is %s, then the answer is a 400 validation problem naming /tip/amount',
    async (amount) => {
      const res = await quote(basket(`,"tip":{"amount":${amount},"currency":"EUR"}`));
      expect(res.statusCode, res.body).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect(res.json().errors.map((error: { path: string }) => error.path)).toContain('/body/tip/amount');
    },
  );

  it('when the tip is within bounds, then the quote prices it', async () => {
    const res = await quote(basket(',"tip":{"amount":150,"currency":"EUR"}'));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().totals.tip).toEqual({ amount: 150, currency: 'EUR' });
  });

  it.each(['0', '1000', '-1', '1e20'])('when a line quantity is %s, then the answer is a 400', async (quantity) => {
    const line = { ...margheritaLine(shop.ids), quantity: 0 };
    const res = await quote(
      `{"channel":"pickup","lines":[${JSON.stringify(line).replace('"quantity":0', `"quantity":${quantity}`)}]}`,
    );
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
  });
});
