import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test-support/harness.js';
import { inTransaction } from '../db/index.js';
import { createPersonalDataVault, masterKeyId, PLATFORM_HOLDER } from './personal-data.js';

describe('personal data vault (envelope encryption)', () => {
  let t: TestDatabase;
  const oldMaster = randomBytes(32);
  const newMaster = randomBytes(32);
  const org = 'org-' + randomBytes(4).toString('hex');

  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.drop();
  });

  const rows = () =>
    t.database.pool
      .query<{ holder: string; version: number; master_key_id: string; sealed_key: Buffer }>(
        'SELECT holder, version, master_key_id, sealed_key FROM pii_data_keys WHERE holder = $1 ORDER BY version',
        [org],
      )
      .then((result) => result.rows);

  it('when a value is sealed, then it opens with the same holder and context only, and neither the value nor the data key is stored in the clear', async () => {
    const vault = createPersonalDataVault({ master: oldMaster, previous: [] });
    const sealed = await vault.seal(t.database.db, org, '12 Baker Street', 'order-delivery:o-1');
    expect(sealed.includes(Buffer.from('Baker'))).toBe(false);
    expect(vault.versionOf(sealed)).toBe(1);
    expect(await vault.open(t.database.db, org, sealed, 'order-delivery:o-1')).toBe('12 Baker Street');
    await expect(vault.open(t.database.db, org, sealed, 'order-delivery:o-2')).rejects.toThrow();
    await expect(vault.open(t.database.db, PLATFORM_HOLDER, sealed, 'order-delivery:o-1')).rejects.toThrow();
    const [key] = await rows();
    expect(key).toMatchObject({ version: 1, master_key_id: masterKeyId(oldMaster) });
    // Another process with the same master key opens it (the data key comes from the table).
    const other = createPersonalDataVault({ master: oldMaster, previous: [] });
    expect(await other.open(t.database.db, org, sealed, 'order-delivery:o-1')).toBe('12 Baker Street');
    // Without the master key, the stored data key is useless.
    const stranger = createPersonalDataVault({ master: randomBytes(32), previous: [] });
    await expect(stranger.open(t.database.db, org, sealed, 'order-delivery:o-1')).rejects.toThrow(/master key/);
  });

  it('when the data key is rotated, then new values take the new version and old ones still open', async () => {
    const vault = createPersonalDataVault({ master: oldMaster, previous: [] });
    const before = await vault.seal(t.database.db, org, 'before', 'c');
    expect(await vault.rotateDataKey(t.database.db, org)).toBe(2);
    const after = await vault.seal(t.database.db, org, 'after', 'c');
    expect([vault.versionOf(before), vault.versionOf(after)]).toEqual([1, 2]);
    expect(await vault.newestVersion(t.database.db, org)).toBe(2);
    const fresh = createPersonalDataVault({ master: oldMaster, previous: [] });
    expect(await fresh.open(t.database.db, org, before, 'c')).toBe('before');
    expect(await fresh.open(t.database.db, org, after, 'c')).toBe('after');
  });

  it('when the master key is rotated, then the retired key opens until the data keys are re-sealed, and after that the new key alone opens everything', async () => {
    const vault = createPersonalDataVault({ master: oldMaster, previous: [] });
    const sealed = await vault.seal(t.database.db, org, 'kept across rotation', 'c');
    // Step 1: the new master key is current, the old one retired (every process restarted so).
    const rotating = createPersonalDataVault({ master: newMaster, previous: [oldMaster] });
    expect(await rotating.open(t.database.db, org, sealed, 'c')).toBe('kept across rotation');
    const written = await rotating.seal(t.database.db, 'org-new-' + randomBytes(4).toString('hex'), 'x', 'c');
    expect(written.length).toBeGreaterThan(5);
    // Step 2: `brigade pii:rotate-master` re-seals the data keys (values are not touched).
    const resealed = await rotating.rotateMasterKey(t.database.db);
    expect(resealed).toBeGreaterThanOrEqual(2);
    expect((await rows()).every((row) => row.master_key_id === masterKeyId(newMaster))).toBe(true);
    expect(await rotating.rotateMasterKey(t.database.db)).toBe(0);
    // Step 3: the old key leaves the configuration.
    const after = createPersonalDataVault({ master: newMaster, previous: [] });
    expect(await after.open(t.database.db, org, sealed, 'c')).toBe('kept across rotation');
    const withOldOnly = createPersonalDataVault({ master: oldMaster, previous: [] });
    await expect(withOldOnly.open(t.database.db, org, sealed, 'c')).rejects.toThrow(/master key/);
  });

  it('when a data key is created in a transaction that rolls back, then nothing sealed later uses it', async () => {
    const holder = 'org-rollback-' + randomBytes(4).toString('hex');
    const vault = createPersonalDataVault({ master: newMaster, previous: [] });
    await expect(
      inTransaction(t.database.db, async (trx) => {
        await vault.seal(trx, holder, 'lost', 'c');
        await vault.seal(trx, holder, 'lost too', 'c');
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const sealed = await vault.seal(t.database.db, holder, 'kept', 'c');
    const fresh = createPersonalDataVault({ master: newMaster, previous: [] });
    expect(await fresh.open(t.database.db, holder, sealed, 'c')).toBe('kept');
  });

  it('when two processes compute a blind index, then equal values give equal indexes and purposes differ', async () => {
    const a = createPersonalDataVault({ master: newMaster, previous: [] });
    const b = createPersonalDataVault({ master: newMaster, previous: [] });
    const one = await a.blindIndex(t.database.db, 'email', 'ada@example.com');
    expect(one).toHaveLength(32);
    expect((await b.blindIndex(t.database.db, 'email', 'ada@example.com')).equals(one)).toBe(true);
    expect((await b.blindIndex(t.database.db, 'phone', 'ada@example.com')).equals(one)).toBe(false);
    expect((await b.blindIndex(t.database.db, 'email', 'bob@example.com')).equals(one)).toBe(false);
    await expect(a.rotateDataKey(t.database.db, 'blind-index')).rejects.toThrow();
  });
});
