// An organization's credentials at a provider (Stripe): sealed on the way in, never shown again
// (only a hint to recognise the key), opened only by the provider registry.
import { recordAudit } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import type { Sealer } from '../../platform/crypto/sealing.js';
import { inTransaction, type Db } from '../../platform/db/index.js';
import { NotFoundError } from '../../platform/http/errors.js';
import { assertPaymentsRule, RULES } from './access.js';
import { credentialsContext, type StripeCredentials } from './providers/registry.js';
import { paymentsRepo as repo } from './repo.js';
import type { StripeCredentialsBody } from './schema.js';

export interface CredentialsDeps {
  db: Db;
  clock: () => Date;
  sealer: Sealer;
  publicUrl: string;
  tenancy: { api: { findOrganization(id: string): Promise<{ id: string } | null | undefined> } };
}

/** "sk_test_…4242": the kind of key and its last four characters. */
const hintOf = (key: string) => `${key.slice(0, key.indexOf('_', 3) + 1)}…${key.slice(-4)}`;

export function createCredentials(deps: CredentialsDeps) {
  async function organizationFor(principal: Principal | null, organizationId: string) {
    const organization = await deps.tenancy.api.findOrganization(organizationId);
    if (!organization) throw new NotFoundError('organization');
    assertPaymentsRule(principal, RULES.manageCredentials, { organizationId }, 'organization');
  }
  const present = (organizationId: string, row: { key_hint: string; updated_at: Date }) => ({
    organization_id: organizationId,
    provider: 'stripe' as const,
    key_hint: row.key_hint,
    webhook_url: `${deps.publicUrl}/v1/payments/webhooks/stripe?account=${organizationId}`,
    updated_at: row.updated_at.toISOString(),
  });

  return {
    async saveStripe(principal: Principal | null, organizationId: string, body: StripeCredentialsBody) {
      await organizationFor(principal, organizationId);
      const credentials: StripeCredentials = { secret_key: body.secret_key, webhook_secret: body.webhook_secret };
      const at = deps.clock();
      const sealed = deps.sealer.seal(JSON.stringify(credentials), credentialsContext(organizationId, 'stripe'));
      await inTransaction(deps.db, async (trx) => {
        await repo.saveProviderAccount(trx, {
          organization_id: organizationId,
          provider: 'stripe',
          sealed_credentials: sealed,
          key_hint: hintOf(body.secret_key),
          at,
        });
        // The keys themselves never reach the log: redaction replaces secret_key and webhook_secret.
        await recordAudit(trx, {
          organizationId,
          action: 'payments.credentials.set',
          target: { type: 'payment_provider_account', id: `${organizationId}/stripe` },
          after: { provider: 'stripe', ...credentials },
        });
      });
      return present(organizationId, { key_hint: hintOf(body.secret_key), updated_at: at });
    },

    async readStripe(principal: Principal | null, organizationId: string) {
      await organizationFor(principal, organizationId);
      const row = await repo.providerAccount(deps.db, organizationId, 'stripe');
      if (!row) throw new NotFoundError('Stripe account');
      return present(organizationId, row);
    },

    async deleteStripe(principal: Principal | null, organizationId: string): Promise<void> {
      await organizationFor(principal, organizationId);
      await inTransaction(deps.db, async (trx) => {
        if (!(await repo.deleteProviderAccount(trx, organizationId, 'stripe')))
          throw new NotFoundError('Stripe account');
        await recordAudit(trx, {
          organizationId,
          action: 'payments.credentials.removed',
          target: { type: 'payment_provider_account', id: `${organizationId}/stripe` },
        });
      });
    },
  };
}

export type CredentialsService = ReturnType<typeof createCredentials>;
