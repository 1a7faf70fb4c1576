import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { bearer, createUser, login } from '../../test-support/identity-factories.js';
import { organizationWithStore } from '../../test-support/tenancy-factories.js';
import { identityRepo } from './repo.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const storedRow = async (userId: string) =>
  (
    await t.db.database.pool.query<{ text: string; email: string | null; name: string | null; index: Buffer | null }>(
      'SELECT u::text AS text, email, name, email_index AS index FROM users u WHERE id = $1',
      [userId],
    )
  ).rows[0]!;

describe("people's names, emails and phones at rest", () => {
  it('when a person is created, then the row holds neither their name, email nor phone, and they log in by the blind index whatever the letter case', async () => {
    const tag = randomBytes(3).toString('hex');
    const user = await createUser(t, { name: 'Augusta Quillby', email: `Augusta.Quillby.${tag}@Example.test` });
    await t.modules.identity.api.setPhone(t.db.database.db, user.id, '+44 20 7946 0999');
    const row = await storedRow(user.id);
    expect(row).toMatchObject({ email: null, name: null });
    expect(row.index).toHaveLength(32);
    // The phone's digits are long enough never to turn up by chance in the sealed bytes' hex.
    for (const plain of ['Augusta', 'Quillby', 'quillby', tag, '7946 0999', '79460999'])
      expect(row.text).not.toContain(plain);

    const tokens = await login(t, { email: `  augusta.quillby.${tag}@example.TEST `.trim(), password: user.password });
    const me = await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(tokens.access_token) });
    expect(me.json()).toMatchObject({ id: user.id, name: 'Augusta Quillby', email: user.email });
    await expect(
      t.modules.identity.api.createUser(t.db.database.db, {
        email: user.email.toUpperCase(),
        password: 'another one',
        name: 'Someone Else',
      }),
    ).rejects.toMatchObject({ code: 'EMAIL_TAKEN' });
  });

  it('when a row predates the sealing, then it still logs in and is found by staff, and the re-encryption job seals it', async () => {
    const { organization } = await organizationWithStore(t);
    const tag = randomBytes(3).toString('hex');
    const legacy = await createUser(t, { name: 'Temp', email: `temp.${tag}@example.test` });
    // As written before migration 0014: plain columns, nothing sealed.
    await t.db.database.pool.query(
      `UPDATE users SET email = $1, name = 'Bartholomew Legacy', phone = '+1 212 555 0142',
         personal_sealed = NULL, email_index = NULL, search_tokens = '{}' WHERE id = $2`,
      [`bart.${tag}@example.test`, legacy.id],
    );
    await t.modules.identity.api.recordCustomer(t.db.database.db, {
      organizationId: organization.id,
      userId: legacy.id,
    });
    const search = async (q: string) =>
      (
        await t.app.inject({
          method: 'GET',
          url: `/v1/organizations/${organization.id}/customers?q=${encodeURIComponent(q)}`,
          headers: bearer(organization.owner.token),
        })
      ).json<{ data: Array<{ id: string; name: string; phone: string | null }> }>().data;

    expect((await login(t, { email: `BART.${tag}@example.test`, password: legacy.password })).token_type).toBe(
      'Bearer',
    );
    expect((await search('Bartholomew')).map((hit) => hit.id)).toEqual([legacy.id]);

    expect(await identityRepo.resealPeople(t.db.database.db)).toBeGreaterThanOrEqual(1);
    const row = await storedRow(legacy.id);
    expect(row).toMatchObject({ email: null, name: null });
    expect(row.text).not.toContain('Bartholomew');
    expect((await login(t, { email: `bart.${tag}@example.test`, password: legacy.password })).token_type).toBe(
      'Bearer',
    );
    expect(await search('Bartolomew')).toEqual([expect.objectContaining({ id: legacy.id, phone: '+1 212 555 0142' })]);
    expect((await search('555 01')).map((hit) => hit.id)).toEqual([legacy.id]);
    expect((await search(`bart.${tag}`)).map((hit) => hit.id)).toEqual([legacy.id]);
    expect(await identityRepo.resealPeople(t.db.database.db)).toBe(0);
  });
});
