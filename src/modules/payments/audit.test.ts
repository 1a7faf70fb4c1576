import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, lastAudit } from '../../test-support/audit-factories.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer } from '../../test-support/identity-factories.js';
import { orderingStore } from '../../test-support/ordering-factories.js';
import { capturedOnline } from '../../test-support/payments-factories.js';

let t: TestApp;
beforeAll(async () => {
  // The refund needs a captured card payment: the sandbox processor and the worker's capture job.
  t = await createTestApp({}, { sandbox: true });
  await t.startWorker();
});
afterAll(async () => {
  await t.close();
});

const SECRET_KEY = 'sk_test_auditSecret12345678';
const WEBHOOK_SECRET = 'whsec_auditWebhook12345678';

describe('payments management writes in the audit log', () => {
  it('when an owner saves and removes Stripe credentials, then both are entries and neither key appears in the log', async () => {
    const own = await orderingStore(t);
    const organizationId = own.organization.id;
    const url = `/v1/organizations/${organizationId}/payment-providers/stripe`;
    const headers = bearer(own.ownerToken);
    const saved = await t.app.inject({
      method: 'PUT',
      url,
      headers,
      payload: { secret_key: SECRET_KEY, webhook_secret: WEBHOOK_SECRET },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url, headers })).statusCode).toBe(204);

    const set = await lastAudit(t, own.organization.owner, organizationId, 'payments.credentials.set');
    expect(set.changes.after).toEqual({ provider: 'stripe', secret_key: '[redacted]', webhook_secret: '[redacted]' });
    await lastAudit(t, own.organization.owner, organizationId, 'payments.credentials.removed');
    const all = JSON.stringify(await auditEntries(t, own.organization.owner, organizationId));
    expect(all).not.toContain(SECRET_KEY);
    expect(all).not.toContain(WEBHOOK_SECRET);
  });

  it('when an owner changes a store’s payment settings, then the entry holds the fields that changed', async () => {
    const own = await orderingStore(t);
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/v1/stores/${own.store.id}/payment-settings`,
      headers: bearer(own.ownerToken),
      payload: { capture_on: 'acceptance' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const entry = await lastAudit(t, own.organization.owner, own.organization.id, 'payments.settings.updated');
    expect(entry).toMatchObject({ store_id: own.store.id, target: { type: 'store', id: own.store.id } });
    expect(entry.changes.after).toMatchObject({ capture_on: 'acceptance' });
  });

  it('when a manager refunds a captured payment, then payments.refund.requested names the payment, the amount and the reason', async () => {
    const shop = await orderingStore(t);
    const { order } = await capturedOnline(t, shop);
    const refund = await t.app.inject({
      method: 'POST',
      url: `/v1/payments/${order.payment.id}/refunds`,
      headers: { ...bearer(shop.ownerToken), 'idempotency-key': `refund-${order.id}` },
      payload: { amount: { amount: 100, currency: 'EUR' }, reason: 'cold pizza' },
    });
    expect(refund.statusCode, refund.body).toBe(202);
    const entry = await lastAudit(
      t,
      shop.organization.owner,
      shop.organization.id,
      'payments.refund.requested',
      order.payment.id,
    );
    expect(entry).toMatchObject({
      store_id: shop.store.id,
      actor: { kind: 'user', id: shop.organization.owner.user.id },
      target: { type: 'payment', id: order.payment.id },
      changes: {
        before: null,
        after: { refund_id: refund.json<{ id: string }>().id, amount: 100, currency: 'EUR', reason: 'cold pizza' },
      },
    });
  });
});
