import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, lastAudit } from '../../test-support/audit-factories.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, createUser, signIn } from '../../test-support/identity-factories.js';
import { ALWAYS_OPEN, organizationWithStore, storeBody } from '../../test-support/tenancy-factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const call = (method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, token: string, payload?: object) =>
  t.app.inject({ method, url: `/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });

const inAWeek = () => new Date(Date.now() + 7 * 24 * 3600_000).toISOString().slice(0, 10);

describe('tenancy management writes in the audit log', () => {
  it('when a person founds an organization and renames it, then both are entries by that person, with before and after', async () => {
    const user = await createUser(t, { name: 'Founder' });
    const token = await signIn(t, user);
    const slug = `audited-${Date.now()}`;
    const founded = await call('POST', '/organizations', token, { slug, name: 'Audited Pizza' });
    expect(founded.statusCode).toBe(201);
    const organizationId = founded.json<{ id: string }>().id;
    const owner = { token: await signIn(t, user) };
    expect(
      (await call('PATCH', `/organizations/${organizationId}`, owner.token, { name: 'Audited Pasta' })).statusCode,
    ).toBe(200);

    const entries = await auditEntries(t, owner, organizationId, { target_id: organizationId });
    expect(entries.map((entry) => [entry.action, entry.actor.id])).toEqual([
      ['tenancy.organization.updated', user.id],
      ['tenancy.organization.founded', user.id],
    ]);
    expect(entries[0]!.changes).toEqual({ before: { name: 'Audited Pizza' }, after: { name: 'Audited Pasta' } });
  });

  it('when an owner opens a store, edits it, replaces its hours and sets and removes an exception, then each is an entry at that store, its address redacted', async () => {
    const brand = await organizationWithStore(t);
    const { owner, id: organizationId } = brand.organization;
    const opened = await call('POST', `/organizations/${organizationId}/stores`, owner.token, storeBody());
    expect(opened.statusCode).toBe(201);
    const storeId = opened.json<{ id: string }>().id;
    const openedEntry = await lastAudit(t, owner, organizationId, 'tenancy.store.opened', storeId);
    expect(openedEntry.store_id).toBe(storeId);
    expect(openedEntry.changes.after).toMatchObject({ name: 'Pasta Place', address: '[redacted]' });

    expect(
      (await call('PATCH', `/stores/${storeId}`, owner.token, { name: 'Pasta Palace', phone: '+49301234567' }))
        .statusCode,
    ).toBe(200);
    const updated = await lastAudit(t, owner, organizationId, 'tenancy.store.updated', storeId);
    expect(updated.changes).toEqual({
      before: { name: 'Pasta Place' },
      after: { name: 'Pasta Palace', phone: '[redacted]' },
    });

    const hours = await call('PUT', `/stores/${storeId}/opening-hours`, owner.token, { opening_hours: ALWAYS_OPEN });
    expect(hours.statusCode).toBe(200);
    const replaced = await lastAudit(t, owner, organizationId, 'tenancy.store_hours.replaced', storeId);
    expect(replaced.changes.after).toMatchObject({ opening_hours: expect.any(Array) });

    const date = inAWeek();
    expect(
      (await call('PUT', `/stores/${storeId}/hours-exceptions/${date}`, owner.token, { closed: true })).statusCode,
    ).toBeLessThan(300);
    expect((await call('DELETE', `/stores/${storeId}/hours-exceptions/${date}`, owner.token)).statusCode).toBe(204);
    const exceptions = await auditEntries(t, owner, organizationId, { target_id: `${storeId}/${date}` });
    expect(exceptions.map((entry) => entry.action)).toEqual([
      'tenancy.store_hours_exception.removed',
      'tenancy.store_hours_exception.set',
    ]);
    expect(exceptions[1]!.changes.after).toMatchObject({ date, closed: true });
  });

  it('when staff add, change, re-code and remove a dining table, then each is an entry and the QR token never shows', async () => {
    const brand = await organizationWithStore(t);
    const { owner, id: organizationId } = brand.organization;
    const storeId = brand.store.id;
    const added = await call('POST', `/stores/${storeId}/tables`, owner.token, { label: 'T-audit', seats: 4 });
    expect(added.statusCode).toBe(201);
    const table = added.json<{ id: string; qr_token?: string }>();
    expect((await call('PATCH', `/stores/${storeId}/tables/${table.id}`, owner.token, { seats: 6 })).statusCode).toBe(
      200,
    );
    const rotated = await call('POST', `/stores/${storeId}/tables/${table.id}/qr-rotation`, owner.token);
    expect(rotated.statusCode).toBeLessThan(300);
    expect((await call('DELETE', `/stores/${storeId}/tables/${table.id}`, owner.token)).statusCode).toBe(204);

    const entries = await auditEntries(t, owner, organizationId, { target_id: table.id });
    expect(entries.map((entry) => entry.action)).toEqual([
      'tenancy.table.removed',
      'tenancy.table.qr_code_rotated',
      'tenancy.table.updated',
      'tenancy.table.added',
    ]);
    expect(entries[2]!.changes.after).toEqual({ seats: 6 });
    expect(entries[1]!.changes.after).toEqual({ qr_token: '[redacted]' });
    expect(entries.every((entry) => entry.store_id === storeId)).toBe(true);
  });
});
