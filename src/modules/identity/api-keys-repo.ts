// SQL for an organization's API keys: issued, listed, revoked, found by hash on every call.
import { sql } from 'kysely';
import { API_KEY_COLUMNS, t, type ApiKeyRow, type Executor } from './tables.js';

export const apiKeysRepo = {
  async insertApiKey(
    ex: Executor,
    key: {
      id: string;
      organizationId: string;
      name: string;
      prefix: string;
      hash: Buffer;
      scopes: string[];
      createdBy: string | null;
    },
  ): Promise<ApiKeyRow> {
    return t(ex)
      .insertInto('api_keys')
      .values({
        id: key.id,
        organization_id: key.organizationId,
        name: key.name,
        prefix: key.prefix,
        secret_hash: key.hash,
        scopes: key.scopes,
        created_by: key.createdBy,
      })
      .returning(API_KEY_COLUMNS)
      .executeTakeFirstOrThrow();
  },

  async listApiKeys(ex: Executor, organizationId: string, limit: number, afterId: string | null): Promise<ApiKeyRow[]> {
    let query = t(ex)
      .selectFrom('api_keys')
      .select(API_KEY_COLUMNS)
      .where('organization_id', '=', organizationId)
      .orderBy('id')
      .limit(limit + 1);
    if (afterId) query = query.where('id', '>', afterId);
    return query.execute();
  },

  async revokeApiKey(ex: Executor, organizationId: string, apiKeyId: string) {
    const result = await t(ex)
      .updateTable('api_keys')
      .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
      .where('organization_id', '=', organizationId)
      .where('id', '=', apiKeyId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  },

  async findActiveApiKey(ex: Executor, hash: Buffer) {
    return t(ex)
      .selectFrom('api_keys')
      .select(['id', 'organization_id', 'scopes'])
      .where('secret_hash', '=', hash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
  },

  /** At most one write a minute per key: the hot path must not update a row on every call. */
  async touchApiKey(ex: Executor, apiKeyId: string) {
    await t(ex)
      .updateTable('api_keys')
      .set({ last_used_at: new Date() })
      .where('id', '=', apiKeyId)
      .where((eb) =>
        eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`now() - interval '1 minute'`)]),
      )
      .execute();
  },
};
