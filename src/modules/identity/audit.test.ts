import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, lastAudit } from '../../test-support/audit-factories.js';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer } from '../../test-support/identity-factories.js';
import { organizationWithStore } from '../../test-support/tenancy-factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const call = (method: 'POST' | 'DELETE', url: string, token: string, payload?: object) =>
  t.app.inject({ method, url: `/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });

describe('identity management writes in the audit log', () => {
  it('when an owner invites a person and removes them, then both are entries, the email and name redacted', async () => {
    const brand = await organizationWithStore(t);
    const { owner, id: organizationId } = brand.organization;
    const email = `invitee-${Date.now()}@example.test`;
    const added = await call('POST', `/organizations/${organizationId}/members`, owner.token, {
      email,
      name: 'Ada Lovelace',
      role: 'staff',
      store_id: brand.store.id,
    });
    expect(added.statusCode).toBe(201);
    const memberId = added.json<{ id: string }>().id;
    const invited = await lastAudit(t, owner, organizationId, 'identity.staff.invited', memberId);
    expect(invited).toMatchObject({
      store_id: brand.store.id,
      actor: { kind: 'user', id: owner.user.id },
      target: { type: 'membership', id: memberId },
      changes: { before: null, after: { role: 'staff', user: { email: '[redacted]', name: '[redacted]' } } },
    });
    expect(JSON.stringify(invited)).not.toContain(email);
    expect(JSON.stringify(invited)).not.toContain('Ada');

    expect((await call('DELETE', `/organizations/${organizationId}/members/${memberId}`, owner.token)).statusCode).toBe(
      204,
    );
    const removed = await lastAudit(t, owner, organizationId, 'identity.staff.removed', memberId);
    expect(removed.changes).toMatchObject({ before: { role: 'staff', store_id: brand.store.id }, after: null });
  });

  it('when an owner creates and revokes an API key, then both are entries and the secret is nowhere in the log', async () => {
    const brand = await organizationWithStore(t);
    const { owner, id: organizationId } = brand.organization;
    const created = await call('POST', `/organizations/${organizationId}/api-keys`, owner.token, {
      name: 'POS bridge',
      scopes: ['staff:read'],
    });
    expect(created.statusCode).toBe(201);
    const key = created.json<{ id: string; secret: string }>();
    expect(
      (await call('DELETE', `/organizations/${organizationId}/api-keys/${key.id}`, owner.token)).statusCode,
    ).toBeLessThan(300);

    const entries = await auditEntries(t, owner, organizationId, { target_id: key.id });
    expect(entries.map((entry) => entry.action)).toEqual(['identity.api_key.revoked', 'identity.api_key.created']);
    expect(entries[1]!.changes.after).toMatchObject({ name: 'POS bridge', scopes: ['staff:read'] });
    expect(JSON.stringify(entries)).not.toContain(key.secret);
  });
});
