// API keys for integrations: scoped to one organization, shown once, stored hashed, revocable.
import { v7 as uuidv7 } from 'uuid';
import { assertMayActAt, type Principal } from '../../platform/auth/principal.js';
import { recordAudit } from '../../platform/audit/index.js';
import { inTransaction, type Db } from '../../platform/db/index.js';
import { NotFoundError } from '../../platform/http/errors.js';
import { decodeCursor, toPage } from '../../platform/http/schema.js';
import { identityRepo as repo, type ApiKeyRow } from './repo.js';
import type { CreateApiKeyInput } from './schema.js';
import { API_KEY_PREFIX, hashSecret, mintSecret } from './secrets.js';

function presentApiKey(row: ApiKeyRow) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    created_at: row.created_at.toISOString(),
    last_used_at: row.last_used_at?.toISOString() ?? null,
    revoked_at: row.revoked_at?.toISOString() ?? null,
  };
}

// Only people manage keys: a key must not be able to mint more keys.
const MANAGERS = ['owner', 'manager'] as const;

export function createApiKeyService(deps: { db: Db }) {
  return {
    async create(principal: Principal | null, organizationId: string, input: CreateApiKeyInput) {
      assertMayActAt(principal, { organizationId }, MANAGERS, [], 'organization');
      const secret = mintSecret(API_KEY_PREFIX);
      const row = await inTransaction(deps.db, async (trx) => {
        const inserted = await repo.insertApiKey(trx, {
          id: uuidv7(),
          organizationId,
          name: input.name,
          prefix: secret.slice(0, API_KEY_PREFIX.length + 6),
          hash: hashSecret(secret),
          scopes: input.scopes,
          createdBy: principal?.kind === 'user' ? principal.userId : null,
        });
        await recordAudit(trx, {
          organizationId,
          action: 'identity.api_key.created',
          target: { type: 'api_key', id: inserted.id },
          after: { name: inserted.name, prefix: inserted.prefix, scopes: inserted.scopes },
        });
        return inserted;
      });
      return { ...presentApiKey(row), secret };
    },

    async list(principal: Principal | null, organizationId: string, limit: number, cursor: string | undefined) {
      assertMayActAt(principal, { organizationId }, MANAGERS, [], 'organization');
      const after = decodeCursor(cursor, ['id'] as const);
      const rows = await repo.listApiKeys(deps.db, organizationId, limit, after?.id ?? null);
      return toPage(rows, limit, presentApiKey, (row) => ({ id: row.id }));
    },

    async revoke(principal: Principal | null, organizationId: string, apiKeyId: string) {
      assertMayActAt(principal, { organizationId }, MANAGERS, [], 'organization');
      await inTransaction(deps.db, async (trx) => {
        if (!(await repo.revokeApiKey(trx, organizationId, apiKeyId))) throw new NotFoundError('API key');
        await recordAudit(trx, {
          organizationId,
          action: 'identity.api_key.revoked',
          target: { type: 'api_key', id: apiKeyId },
        });
      });
    },
  };
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;
