// Personal data at rest, by envelope encryption (ADR 0025). PII_ENCRYPTION_KEY (the master key)
// seals data keys; data keys seal the values. Each organization has its own data keys (`holder`
// = its id) and the platform-wide users have the `platform` holder's. A sealed value names the
// data key version it was written with, so rotating is never a stop-the-world event:
// - a new data key version serves new writes at once here (and within a minute elsewhere, see
//   ACTIVE_TTL_MS), every older version still opens, and the modules' re-encryption jobs move
//   old values forward in batches;
// - a new master key re-seals the data keys only (a few rows), while the retired master keys in
//   PII_ENCRYPTION_PREVIOUS_KEYS still open the ones not re-sealed yet.
// The blind index (equality lookups on a value no one can read, such as an email) is an
// HMAC-SHA256 under its own random key, kept sealed like a data key and never rotated with
// them: re-keying it means recomputing every index from the decrypted values.
import { createHmac, randomBytes } from 'node:crypto';
import { loadOrCreateDevSecret } from './dev-secret.js';
import { dataKeysRepo, type DataKeyRow, type Executor } from './data-keys-repo.js';
import { createSealer, type Sealer } from './sealing.js';

export const PLATFORM_HOLDER = 'platform';
const BLIND_INDEX_HOLDER = 'blind-index';
/** How long a process keeps writing with the data key version it last saw as the newest. */
const ACTIVE_TTL_MS = 60_000;
/** First byte of an envelope-sealed value ('P'), then the data key version (uint32, big-endian). */
const FORMAT = 0x50;
const HEADER_BYTES = 5;

export interface PersonalDataKeys {
  /** Seals new data keys and re-sealed ones. */
  master: Buffer;
  /** Retired master keys: they only open data keys not re-sealed yet. */
  previous: Buffer[];
}

/** The configured keys, or in development a master key generated once into the data folder. */
export function personalDataKeysFrom(input: {
  masterKey: Buffer | null;
  previousKeys: Buffer[];
  dataDir: string;
}): PersonalDataKeys {
  const master = input.masterKey ?? Buffer.from(loadOrCreateDevSecret(input.dataDir, 'pii-encryption-key'), 'base64');
  return { master, previous: input.previousKeys };
}

/** A master key's public name: stored beside each data key, so the right key opens it. */
export function masterKeyId(key: Buffer): string {
  return createHmac('sha256', key).update('brigade:pii:master-key-id').digest().subarray(0, 8).toString('hex');
}

export function createPersonalDataVault(keys: PersonalDataKeys, options: { clock?: () => number } = {}) {
  const now = options.clock ?? Date.now;
  const current = { id: masterKeyId(keys.master), sealer: createSealer(keys.master) };
  const masters = new Map<string, Sealer>([[current.id, current.sealer]]);
  for (const key of keys.previous) if (!masters.has(masterKeyId(key))) masters.set(masterKeyId(key), createSealer(key));
  // Only keys whose rows are committed are kept (see `own`): a key created in a transaction
  // that rolls back must not seal anything later.
  const dataKeys = new Map<string, Sealer>();
  const blindKeys = new Map<string, Buffer>();
  const active = new Map<string, { version: number; until: number }>();
  const keyContext = (holder: string, version: number) => `pii-data-key:${holder}:${version}`;

  function openRow(row: DataKeyRow): Buffer {
    const master = masters.get(row.master_key_id);
    if (!master)
      throw new Error(
        `Data key ${row.holder} v${row.version} is sealed by master key ${row.master_key_id}, which is neither PII_ENCRYPTION_KEY nor in PII_ENCRYPTION_PREVIOUS_KEYS`,
      );
    return Buffer.from(master.open(row.sealed_key, keyContext(row.holder, row.version)), 'base64');
  }

  function remember(row: DataKeyRow, key: Buffer): Sealer {
    const sealer = createSealer(key);
    if (!row.own) dataKeys.set(`${row.holder}:${row.version}`, sealer);
    return sealer;
  }

  async function create(ex: Executor, holder: string, version: number): Promise<boolean> {
    const key = randomBytes(32);
    const sealedKey = current.sealer.seal(key.toString('base64'), keyContext(holder, version));
    return dataKeysRepo.insert(ex, { holder, version, sealedKey, masterKeyId: current.id });
  }

  async function newestRow(ex: Executor, holder: string): Promise<DataKeyRow> {
    const found = await dataKeysRepo.newest(ex, holder);
    if (found) return found;
    // The holder's first key; a concurrent first writer may win the insert, then its key is used.
    await create(ex, holder, 1);
    const created = await dataKeysRepo.newest(ex, holder);
    if (!created) throw new Error(`No data key for ${holder}`);
    return created;
  }

  async function keyOf(ex: Executor, holder: string, version: number): Promise<Sealer> {
    const cached = dataKeys.get(`${holder}:${version}`);
    if (cached) return cached;
    const row = await dataKeysRepo.find(ex, holder, version);
    if (!row) throw new Error(`No data key ${holder} v${version}`);
    return remember(row, openRow(row));
  }

  async function keyForWrite(ex: Executor, holder: string): Promise<{ version: number; sealer: Sealer }> {
    const known = active.get(holder);
    if (known && known.until > now()) return { version: known.version, sealer: await keyOf(ex, holder, known.version) };
    const row = await newestRow(ex, holder);
    if (!row.own) active.set(holder, { version: row.version, until: now() + ACTIVE_TTL_MS });
    const cached = dataKeys.get(`${holder}:${row.version}`);
    return { version: row.version, sealer: cached ?? remember(row, openRow(row)) };
  }

  const aad = (holder: string, context: string) => `pii:${holder}:${context}`;

  /**
   * A new data key version for the holder: new writes use it (here at once, in other processes
   * within ACTIVE_TTL_MS), old versions keep opening. Returns the new version.
   */
  async function rotateDataKey(ex: Executor, holder: string): Promise<number> {
    if (holder === BLIND_INDEX_HOLDER) throw new Error('The blind index key is not rotated with the data keys');
    for (;;) {
      const newest = await dataKeysRepo.newest(ex, holder);
      const version = (newest?.version ?? 0) + 1;
      if (await create(ex, holder, version)) {
        active.delete(holder);
        return version;
      }
    }
  }

  return {
    /**
     * Seals `plaintext` with the holder's newest data key. `context` names the value's place
     * (e.g. `order-delivery:<order id>`) and must be given again to open it: a value copied to
     * another row, field or holder does not open.
     */
    async seal(ex: Executor, holder: string, plaintext: string, context: string): Promise<Buffer> {
      const { version, sealer } = await keyForWrite(ex, holder);
      const header = Buffer.alloc(HEADER_BYTES);
      header[0] = FORMAT;
      header.writeUInt32BE(version, 1);
      return Buffer.concat([header, sealer.seal(plaintext, aad(holder, context))]);
    },

    async open(ex: Executor, holder: string, sealed: Buffer, context: string): Promise<string> {
      const sealer = await keyOf(ex, holder, versionOf(sealed));
      return sealer.open(sealed.subarray(HEADER_BYTES), aad(holder, context));
    },

    /** The data key version a value was sealed with. */
    versionOf,

    /**
     * The holder's newest data key version as the database has it now (creating its first):
     * values below it are due for re-encryption. Also ends this process's wait for it.
     */
    /** The newest version as this process writes with it (at most ACTIVE_TTL_MS old). */
    async newestVersionCached(ex: Executor, holder: string): Promise<number> {
      return (await keyForWrite(ex, holder)).version;
    },

    async newestVersion(ex: Executor, holder: string): Promise<number> {
      active.delete(holder);
      return (await keyForWrite(ex, holder)).version;
    },

    /**
     * HMAC-SHA256 of `value` (already normalized by the caller) for `purpose`: equal values give
     * equal indexes, so a unique index and an equality lookup work on values stored sealed.
     */
    async blindIndex(ex: Executor, purpose: string, value: string): Promise<Buffer> {
      let key = blindKeys.get(BLIND_INDEX_HOLDER);
      if (!key) {
        let row = await dataKeysRepo.find(ex, BLIND_INDEX_HOLDER, 1);
        if (!row) {
          await create(ex, BLIND_INDEX_HOLDER, 1);
          row = await dataKeysRepo.find(ex, BLIND_INDEX_HOLDER, 1);
          if (!row) throw new Error('No blind index key');
        }
        key = openRow(row);
        if (!row.own) blindKeys.set(BLIND_INDEX_HOLDER, key);
      }
      return createHmac('sha256', key).update(`${purpose}\u0000${value}`).digest();
    },

    /**
     * A new data key version for the holder: new writes use it (here at once, in other
     * processes within ACTIVE_TTL_MS), old versions keep opening. Returns the new version.
     */
    rotateDataKey,

    /** rotateDataKey for every holder that has data keys; returns how many were rotated. */
    async rotateAllDataKeys(ex: Executor): Promise<number> {
      const holders = await dataKeysRepo.holders(ex, [BLIND_INDEX_HOLDER]);
      for (const holder of holders) await rotateDataKey(ex, holder);
      return holders.length;
    },

    /**
     * Re-seals every data key sealed by a retired master key under PII_ENCRYPTION_KEY, in pages.
     * Values are untouched. Returns how many keys were re-sealed; after it, the retired keys can
     * leave PII_ENCRYPTION_PREVIOUS_KEYS.
     */
    async rotateMasterKey(ex: Executor): Promise<number> {
      let resealed = 0;
      for (;;) {
        const rows = await dataKeysRepo.sealedByOthers(ex, current.id, 100);
        if (rows.length === 0) return resealed;
        for (const row of rows) {
          const key = openRow(row);
          await dataKeysRepo.reseal(ex, {
            holder: row.holder,
            version: row.version,
            fromMasterKeyId: row.master_key_id,
            sealedKey: current.sealer.seal(key.toString('base64'), keyContext(row.holder, row.version)),
            masterKeyId: current.id,
          });
          resealed++;
        }
      }
    },
  };
}

/** Whether a stored value is in the envelope format (a plain JSON body never starts with 'P'). */
export function isSealed(value: Buffer): boolean {
  return value.length > HEADER_BYTES && value[0] === FORMAT;
}

function versionOf(sealed: Buffer): number {
  if (sealed.length <= HEADER_BYTES || sealed[0] !== FORMAT) throw new Error('Not an envelope-sealed value');
  return sealed.readUInt32BE(1);
}

export type PersonalDataVault = ReturnType<typeof createPersonalDataVault>;
