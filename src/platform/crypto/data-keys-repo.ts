// SQL of pii_data_keys (migrations/0014_personal_data.sql), and nothing else.
import { sql, type Kysely } from 'kysely';
import type { PlatformTables } from '../db/index.js';

export type Executor = Kysely<PlatformTables>;

export interface DataKeyRow {
  holder: string;
  version: number;
  sealed_key: Buffer;
  master_key_id: string;
  /** True when the caller's own (still open) transaction created the row. */
  own: boolean;
}

const columns = sql`holder, version, sealed_key, master_key_id,
  coalesce(created_by_xact = pg_current_xact_id_if_assigned(), false) AS own`;

export const dataKeysRepo = {
  async newest(ex: Executor, holder: string): Promise<DataKeyRow | undefined> {
    const { rows } = await sql<DataKeyRow>`
      SELECT ${columns} FROM pii_data_keys WHERE holder = ${holder} ORDER BY version DESC LIMIT 1
    `.execute(ex);
    return rows[0];
  },

  async find(ex: Executor, holder: string, version: number): Promise<DataKeyRow | undefined> {
    const { rows } = await sql<DataKeyRow>`
      SELECT ${columns} FROM pii_data_keys WHERE holder = ${holder} AND version = ${version}
    `.execute(ex);
    return rows[0];
  },

  /** Inserts the version unless another transaction did first; false when it lost that race. */
  async insert(
    ex: Executor,
    row: { holder: string; version: number; sealedKey: Buffer; masterKeyId: string },
  ): Promise<boolean> {
    const { rows } = await sql<{ version: number }>`
      INSERT INTO pii_data_keys (holder, version, sealed_key, master_key_id)
      VALUES (${row.holder}, ${row.version}, ${row.sealedKey}, ${row.masterKeyId})
      ON CONFLICT (holder, version) DO NOTHING
      RETURNING version
    `.execute(ex);
    return rows.length === 1;
  },

  /** Keys sealed by another master key than `masterKeyId`, a page at a time. */
  async sealedByOthers(ex: Executor, masterKeyId: string, limit: number): Promise<DataKeyRow[]> {
    const { rows } = await sql<DataKeyRow>`
      SELECT ${columns} FROM pii_data_keys WHERE master_key_id <> ${masterKeyId}
      ORDER BY holder, version LIMIT ${limit}
    `.execute(ex);
    return rows;
  },

  /** Re-seals one key, only if it is still sealed as read (another process may have done it). */
  async reseal(
    ex: Executor,
    row: { holder: string; version: number; fromMasterKeyId: string; sealedKey: Buffer; masterKeyId: string },
  ): Promise<void> {
    await sql`
      UPDATE pii_data_keys SET sealed_key = ${row.sealedKey}, master_key_id = ${row.masterKeyId}, resealed_at = now()
      WHERE holder = ${row.holder} AND version = ${row.version} AND master_key_id = ${row.fromMasterKeyId}
    `.execute(ex);
  },

  async holders(ex: Executor, exclude: string[]): Promise<string[]> {
    const { rows } = await sql<{ holder: string }>`
      SELECT DISTINCT holder FROM pii_data_keys WHERE NOT (holder = ANY(${exclude})) ORDER BY holder
    `.execute(ex);
    return rows.map((row) => row.holder);
  },
};
