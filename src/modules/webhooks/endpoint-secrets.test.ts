import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { createPersonalDataVault, personalDataKeysFrom } from '../../platform/crypto/personal-data.js';
import { lastAudit } from '../../test-support/audit-factories.js';
import type { TestApp } from '../../test-support/harness.js';
import { createOrganization, type TestOrganization } from '../../test-support/tenancy-factories.js';
import { openSecret } from './secrets.js';
import { webhookTables } from './tables.js';
import { caller, endpointBody, endpointsUrl, webhookTestApp } from './test-helpers.js';

let t: TestApp;
let call: ReturnType<typeof caller>;
let org: TestOrganization;
const now = new Date('2026-12-07T12:00:00Z');
const SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/;

beforeAll(async () => {
  t = await webhookTestApp(now);
  call = caller(t);
  org = await createOrganization(t);
});
afterAll(async () => {
  await t.close();
});

const storedRow = (id: string) =>
  webhookTables(t.db.database.db)
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

/** What the senders sign with: the sealed secret opened by a vault on the same keys (another process's). */
function opener() {
  const vault = createPersonalDataVault(personalDataKeysFrom({ ...t.config.personalData, dataDir: t.config.dataDir }));
  return (endpointId: string, sealed: Buffer) => openSecret(t.db.database.db, vault, endpointId, sealed);
}

describe('the signing secret', () => {
  it('when an endpoint is registered, then the secret answered is the one sealed for signing', async () => {
    const created = (await call('POST', endpointsUrl(org.id), org.owner.token, endpointBody())).json();
    expect(created.secret).toMatch(SECRET);
    const row = await storedRow(created.id);
    expect(await opener()(created.id, row.secret_sealed)).toBe(created.secret);
    expect(row.previous_secret_sealed).toBeNull();
    // Bound to its endpoint: a sealed secret copied onto another does not open.
    await expect(opener()(uuidv7(), row.secret_sealed)).rejects.toThrow();
  });

  it('when the secret is rotated, then a new one is answered once, and the old one keeps signing for 24 hours', async () => {
    const created = (await call('POST', endpointsUrl(org.id), org.owner.token, endpointBody())).json();
    const url = `${endpointsUrl(org.id)}/${created.id}`;

    const stale = await call('POST', `${url}/rotate-secret`, org.owner.token, undefined, { 'if-match': '"7"' });
    expect(stale.statusCode).toBe(412);

    const rotated = await call('POST', `${url}/rotate-secret`, org.owner.token, undefined, { 'if-match': '"1"' });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const body = rotated.json();
    expect(body.secret).toMatch(SECRET);
    expect(body.secret).not.toBe(created.secret);
    expect(body.secret_hint).toContain(body.secret.slice(-4));
    expect(body.version).toBe(2);
    expect(rotated.headers.etag).toBe('"2"');
    expect(rotated.headers['cache-control']).toBe('private, no-store');

    const row = await storedRow(created.id);
    const open = opener();
    expect(await open(created.id, row.secret_sealed)).toBe(body.secret);
    expect(await open(created.id, row.previous_secret_sealed!)).toBe(created.secret);
    expect(row.previous_secret_expires_at).toEqual(new Date(now.getTime() + 24 * 60 * 60 * 1000));

    const read = await call('GET', url, org.owner.token);
    expect(read.json()).toMatchObject({ secret_hint: body.secret_hint, version: 2 });
    expect(read.json()).not.toHaveProperty('secret');
    expect(read.body).not.toContain(body.secret);
    const audit = await lastAudit(t, org.owner, org.id, 'webhooks.endpoint.secret_rotated', created.id);
    expect(audit.changes.after).toMatchObject({ secret_hint: '[redacted]', version: 2 });
    expect(JSON.stringify(audit)).not.toContain(body.secret.slice(6, 20));

    // Rotating again within the 24 hours: the first secret is retired, the second signs beside the third.
    const third = (await call('POST', `${url}/rotate-secret`, org.owner.token)).json();
    const after = await storedRow(created.id);
    expect(await open(created.id, after.secret_sealed)).toBe(third.secret);
    expect(await open(created.id, after.previous_secret_sealed!)).toBe(body.secret);
  });
});
