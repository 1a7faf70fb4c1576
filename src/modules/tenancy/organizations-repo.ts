// SQL for organizations (the brands): founding one, finding it by id or slug, renaming it, and
// deleting it with everything it owns.
import { sql } from 'kysely';
import { isUniqueViolation, t, type Executor, type OrganizationRow } from './db-tables.js';

const ORGANIZATION_COLUMNS = ['id', 'slug', 'name', 'version', 'created_at', 'updated_at'] as const;

export const organizationsRepo = {
  /** null when the slug is taken. */
  async insertOrganization(
    ex: Executor,
    row: { id: string; slug: string; name: string },
  ): Promise<OrganizationRow | null> {
    const inserted = await t(ex)
      .insertInto('organizations')
      .values(row)
      .onConflict((oc) => oc.column('slug').doNothing())
      .returning(ORGANIZATION_COLUMNS)
      .executeTakeFirst();
    return inserted ?? null;
  },

  async findOrganization(ex: Executor, id: string): Promise<OrganizationRow | null> {
    return (
      (await t(ex).selectFrom('organizations').select(ORGANIZATION_COLUMNS).where('id', '=', id).executeTakeFirst()) ??
      null
    );
  },

  async findOrganizationBySlug(ex: Executor, slug: string): Promise<OrganizationRow | null> {
    return (
      (await t(ex)
        .selectFrom('organizations')
        .select(ORGANIZATION_COLUMNS)
        .where('slug', '=', slug)
        .executeTakeFirst()) ?? null
    );
  },

  /** 'stale' when the version moved on (or the row is gone), 'slug_taken' when the new slug belongs to another. */
  async updateOrganization(
    ex: Executor,
    id: string,
    expectedVersion: number | null,
    patch: { slug?: string; name?: string },
  ): Promise<OrganizationRow | 'stale' | 'slug_taken'> {
    try {
      let update = t(ex)
        .updateTable('organizations')
        .set({ ...patch, version: sql`version + 1`, updated_at: sql`now()` })
        .where('id', '=', id);
      if (expectedVersion !== null) update = update.where('version', '=', expectedVersion);
      const updated = await update.returning(ORGANIZATION_COLUMNS).executeTakeFirst();
      return updated ?? 'stale';
    } catch (error) {
      if (isUniqueViolation(error, 'organizations_slug_key')) return 'slug_taken';
      throw error;
    }
  },

  /** Everything of the organization goes with it (foreign keys cascade). */
  async deleteOrganizationBySlug(ex: Executor, slug: string): Promise<boolean> {
    const result = await t(ex).deleteFrom('organizations').where('slug', '=', slug).executeTakeFirst();
    return result.numDeletedRows > 0n;
  },
};
