// Numbered SQL migrations (migrations/NNNN_name.sql), applied in order, each in its own
// transaction, under a session advisory lock so several nodes starting at once apply each
// file exactly once. A released migration is never edited: its checksum is recorded and a
// mismatch stops the start.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../migrations');
// Arbitrary constant shared by every Brigade process: "BRIGADE" spelled on a phone keypad.
const MIGRATION_LOCK_ID = 2744423;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await fs.readdir(dir)).filter((file) => file.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match) throw new Error(`Migration file name "${file}" must look like 0001_name.sql`);
    const sql = await fs.readFile(path.join(dir, file), 'utf8');
    migrations.push({
      version: Number(match[1]),
      name: match[2]!,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    });
  }
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1)
      throw new Error(`Migrations must be numbered without gaps; expected ${index + 1}, got ${migration.version}`);
  });
  return migrations;
}

async function ensureTable(client: pg.PoolClient): Promise<void> {
  await client.query(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
}

export interface MigrationResult {
  applied: string[];
}

export async function migrate(pool: pg.Pool, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  const migrations = await readMigrations(dir);
  const client = await pool.connect();
  try {
    // Migrations may take longer than the request statement timeout.
    await client.query('SET statement_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      await ensureTable(client);
      const { rows } = await client.query<{ version: number; checksum: string }>(
        'SELECT version, checksum FROM schema_migrations',
      );
      const done = new Map(rows.map((row) => [row.version, row.checksum]));
      const applied: string[] = [];
      for (const migration of migrations) {
        const recorded = done.get(migration.version);
        if (recorded !== undefined) {
          if (recorded !== migration.checksum) {
            throw new Error(
              `Migration ${migration.version}_${migration.name} was edited after it was applied; add a new migration instead`,
            );
          }
          continue;
        }
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
            migration.version,
            migration.name,
            migration.checksum,
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`Migration ${migration.version}_${migration.name} failed: ${(error as Error).message}`, {
            cause: error,
          });
        }
        applied.push(`${migration.version}_${migration.name}`);
      }
      return { applied };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  } finally {
    client.release();
  }
}

/** For the readiness check: the newest migration on disk is applied. */
let onDisk: Promise<Migration[]> | undefined;

export async function pendingMigrations(pool: pg.Pool): Promise<number> {
  onDisk ??= readMigrations();
  const migrations = await onDisk;
  // A missing table means nothing was applied yet; any other failure is the caller's to report.
  const { rows } = await pool
    .query<{ version: number }>('SELECT version FROM schema_migrations')
    .catch((error: { code?: string }) => {
      if (error.code === '42P01') return { rows: [] as { version: number }[] };
      throw error;
    });
  const done = new Set(rows.map((row) => row.version));
  return migrations.filter((migration) => !done.has(migration.version)).length;
}
