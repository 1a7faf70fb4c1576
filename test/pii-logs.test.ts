// Logs never carry personal data: a representative flow (sign-up, login, a delivery order with
// the demo address and contact, the staff's customer search, the person's export and erasure)
// runs through the whole app with its real logger at trace level, the worker role included,
// and not one line may contain a personal string used. The in-suite form of issue 20's grep of
// a full suite run's logs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../src/test-support/harness.js';
import { bearer, login } from '../src/test-support/identity-factories.js';
import { margheritaLine, orderingStore } from '../src/test-support/ordering-factories.js';
import {
  DEMO_DELIVERY,
  DEMO_DELIVERY_STRINGS,
  placeDeliveryOrder,
} from '../src/test-support/personal-data-factories.js';
import { captureLogs } from '../src/test-support/server.js';
import { waitFor } from '../src/test-support/wait.js';

const PERSON = {
  email: 'ottoline.vandersnoot@pii-canary.example',
  password: 'canary-password-8841',
  name: 'Ottoline Vandersnoot',
};
const PERSONAL_STRINGS = [
  PERSON.email,
  'ottoline.vandersnoot',
  'pii-canary',
  PERSON.password,
  'Ottoline',
  ...DEMO_DELIVERY_STRINGS,
  DEMO_DELIVERY.contact.phone,
  '79460321',
];

let t: TestApp;
const logs = captureLogs('trace');

beforeAll(async () => {
  t = await createTestApp({ LOG_LEVEL: 'trace' }, { logger: logs.logger });
});
afterAll(async () => {
  await t?.close();
});

describe('personal data in logs', () => {
  it('when a person signs up, orders a delivery, is looked up by staff, exports and erases their data, then no log line carries any of it', async () => {
    await t.startWorker();
    const shop = await orderingStore(t);
    const registered = await t.app.inject({ method: 'POST', url: '/v1/auth/register', payload: PERSON });
    expect(registered.statusCode, registered.body).toBe(201);
    // A wrong password first: the failure path logs too.
    const failed = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: PERSON.email, password: 'wrong one' },
    });
    expect(failed.statusCode).toBe(401);
    const tokens = await login(t, PERSON);
    const placed = await placeDeliveryOrder(t, tokens.access_token, shop.store.id, margheritaLine(shop.ids));
    expect(placed.statusCode, placed.body).toBe(201);
    // A basket the validation refuses, echoing personal data back in its problem.
    const refused = await placeDeliveryOrder(t, tokens.access_token, shop.store.id, margheritaLine(shop.ids), {
      ...DEMO_DELIVERY,
      contact: { ...DEMO_DELIVERY.contact, phone: 'Ottoline’s phone' },
    });
    expect(refused.statusCode).toBe(400);

    const search = (q: string) =>
      t.app.inject({
        method: 'GET',
        url: `/v1/organizations/${shop.organization.id}/customers?q=${encodeURIComponent(q)}`,
        headers: bearer(shop.ownerToken),
      });
    await waitFor('the customer to be recorded by the worker', async () => {
      const found = (await search('Vandersnoot')).json<{ data: unknown[] }>().data;
      return found.length === 1 ? found : undefined;
    });
    expect((await search(PERSON.email)).statusCode).toBe(200);

    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/me/export', headers: bearer(tokens.access_token) })).statusCode,
    ).toBe(200);
    const erased = await t.app.inject({
      method: 'DELETE',
      url: '/v1/me',
      headers: bearer(tokens.access_token),
      payload: { password: PERSON.password },
    });
    expect(erased.statusCode).toBe(204);

    const lines = logs.lines();
    // The flow was logged (requests at least), so the assertion below is about real lines.
    expect(lines.length).toBeGreaterThan(10);
    const text = JSON.stringify(lines);
    const leaks = PERSONAL_STRINGS.filter((needle) => text.toLowerCase().includes(needle.toLowerCase()));
    const leakingLines = lines.filter((line) => leaks.some((needle) => JSON.stringify(line).includes(needle)));
    expect({ leaks, leakingLines: leakingLines.slice(0, 5) }).toEqual({ leaks: [], leakingLines: [] });
  });
});
