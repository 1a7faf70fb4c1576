import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test-support/harness.js';
import { migrate, MIGRATIONS_DIR, pendingMigrations, readMigrations } from './migrate.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function emptyDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase({ empty: true });
  cleanups.push(() => db.drop());
  return db;
}

function migrationsDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brigade-migrations-'));
  for (const [name, sql] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), sql);
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function count(pool: pg.Pool, sql: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(sql);
  return rows[0]!.n;
}

const onDisk = await readMigrations();

describe('migrate', () => {
  it('when five processes migrate a fresh database at once, then every migration is applied exactly once', async () => {
    const db = await emptyDatabase();
    const pools = Array.from({ length: 5 }, () => new pg.Pool({ connectionString: db.url, max: 2 }));
    // pool.end() resolves before the sockets close; dropping the database then kills them.
    for (const pool of pools) pool.on('error', () => undefined);
    cleanups.push(async () => {
      await Promise.all(pools.map((pool) => pool.end()));
    });

    const results = await Promise.all(pools.map((pool) => migrate(pool)));

    const applied = results.flatMap((result) => result.applied);
    expect(applied.sort()).toEqual(onDisk.map((m) => `${m.version}_${m.name}`).sort());
    // One winner did all the work; the others found nothing left to do.
    expect(results.filter((result) => result.applied.length > 0)).toHaveLength(1);
    const pool = db.database.pool;
    expect(await count(pool, 'SELECT count(*)::int AS n FROM schema_migrations')).toBe(onDisk.length);
    expect(await count(pool, 'SELECT count(DISTINCT version)::int AS n FROM schema_migrations')).toBe(onDisk.length);
    // The advisory lock is released: nobody is left holding it.
    expect(await count(pool, "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'")).toBe(0);
  });

  it('when migrate runs again on a current database, then it applies nothing', async () => {
    const db = await emptyDatabase();
    await migrate(db.database.pool);
    await expect(migrate(db.database.pool)).resolves.toEqual({ applied: [] });
  });

  it('when an applied migration was edited afterwards, then migrate refuses and names the file', async () => {
    const db = await emptyDatabase();
    const dir = migrationsDir({ '0001_menus.sql': 'CREATE TABLE menus (id int PRIMARY KEY);' });
    await expect(migrate(db.database.pool, dir)).resolves.toEqual({ applied: ['1_menus'] });

    fs.writeFileSync(path.join(dir, '0001_menus.sql'), 'CREATE TABLE menus (id int PRIMARY KEY, name text);');
    fs.writeFileSync(path.join(dir, '0002_items.sql'), 'CREATE TABLE items (id int PRIMARY KEY);');
    await expect(migrate(db.database.pool, dir)).rejects.toThrow(
      'Migration 1_menus was edited after it was applied; add a new migration instead',
    );
    // Nothing after the edited file ran.
    expect(await count(db.database.pool, "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'items'")).toBe(0);
  });

  it('when a migration fails, then it is rolled back, named in the error, and the ones before it stay applied', async () => {
    const db = await emptyDatabase();
    const dir = migrationsDir({
      '0001_menus.sql': 'CREATE TABLE menus (id int PRIMARY KEY);',
      '0002_broken.sql': 'CREATE TABLE half_done (id int); SELECT * FROM no_such_table;',
    });
    await expect(migrate(db.database.pool, dir)).rejects.toThrow(/Migration 2_broken failed: .*no_such_table/);
    const pool = db.database.pool;
    expect(await count(pool, 'SELECT count(*)::int AS n FROM schema_migrations')).toBe(1);
    expect(await count(pool, "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'half_done'")).toBe(0);
    expect(await count(pool, "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'")).toBe(0);
  });

  it('when migration files skip a number or are badly named, then they are refused before touching the database', async () => {
    await expect(
      readMigrations(migrationsDir({ '0001_a.sql': 'SELECT 1;', '0003_c.sql': 'SELECT 1;' })),
    ).rejects.toThrow(/without gaps; expected 2, got 3/);
    await expect(readMigrations(migrationsDir({ '1_a.sql': 'SELECT 1;' }))).rejects.toThrow(
      /must look like 0001_name.sql/,
    );
  });

  it('when the shipped migrations are read, then they are numbered from 1 without gaps', async () => {
    expect(onDisk.length).toBeGreaterThan(0);
    expect(onDisk.map((m) => m.version)).toEqual(onDisk.map((_, index) => index + 1));
    expect(fs.existsSync(MIGRATIONS_DIR)).toBe(true);
  });
});

describe('pendingMigrations', () => {
  it('when the database is empty, then every migration on disk is pending', async () => {
    const db = await emptyDatabase();
    await expect(pendingMigrations(db.database.pool)).resolves.toBe(onDisk.length);
  });

  it('when the database is migrated, then none is pending; when the latest is missing, then one is', async () => {
    const db = await emptyDatabase();
    await migrate(db.database.pool);
    await expect(pendingMigrations(db.database.pool)).resolves.toBe(0);
    await db.database.pool.query('DELETE FROM schema_migrations WHERE version = $1', [onDisk.length]);
    await expect(pendingMigrations(db.database.pool)).resolves.toBe(1);
  });

  it('when the database cannot be queried, then the error reaches the caller', async () => {
    const db = await emptyDatabase();
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    await pool.end();
    await expect(pendingMigrations(pool)).rejects.toThrow();
  });
});
