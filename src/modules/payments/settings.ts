// How a store takes payments: which provider takes its online payments (sandbox, Stripe, or none:
// cash only) and when it captures. A store that never saved settings uses the sandbox when it
// runs here (development, the demo) and no online payments otherwise; capture on completion.
import { recordAudit } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Db } from '../../platform/db/index.js';
import { NotFoundError, PreconditionFailedError, UnprocessableError } from '../../platform/http/errors.js';
import type { TenancyApi } from '../tenancy/index.js';
import { assertPaymentsRule, RULES } from './access.js';
import type { ProviderRegistry } from './providers/registry.js';
import { paymentsRepo as repo, type Executor, type OnlineProvider } from './repo.js';
import type { StorePaymentSettings, StorePaymentSettingsBody } from './schema.js';

export interface EffectiveSettings {
  provider: OnlineProvider | null;
  captureOn: 'acceptance' | 'completion';
  version: number;
}

export interface PaymentSettingsDeps {
  db: Db;
  clock: () => Date;
  tenancy: { api: Pick<TenancyApi, 'findStore'> };
  providers: Pick<ProviderRegistry, 'sandboxEnabled' | 'named'>;
}

export const settingsEtag = (settings: { version: number }) => `"${settings.version}"`;

export function createPaymentSettings(deps: PaymentSettingsDeps) {
  /**
   * `ex`: the caller's transaction when it holds one. Reading on the pool from inside a
   * transaction asks for a second connection while holding the first: with the pool exhausted,
   * every such transaction waits for the others until the connect timeout.
   */
  async function effective(storeId: string, ex: Executor = deps.db): Promise<EffectiveSettings> {
    const row = await repo.storeSettings(ex, storeId);
    if (!row)
      return { provider: deps.providers.sandboxEnabled ? 'sandbox' : null, captureOn: 'completion', version: 0 };
    // A store set to the sandbox where it does not run (production) takes no online payments.
    const provider = row.provider === 'sandbox' && !deps.providers.sandboxEnabled ? null : row.provider;
    return { provider, captureOn: row.capture_on, version: row.version };
  }

  const present = (storeId: string, settings: EffectiveSettings): StorePaymentSettings => ({
    store_id: storeId,
    provider: settings.provider,
    capture_on: settings.captureOn,
    version: settings.version,
  });

  async function storeFor(principal: Principal | null, storeId: string, rule: (typeof RULES)[keyof typeof RULES]) {
    const store = await deps.tenancy.api.findStore(storeId);
    if (!store) throw new NotFoundError('store');
    assertPaymentsRule(principal, rule, { organizationId: store.organization_id, storeId }, 'store');
    return store;
  }

  return {
    effective,

    async read(principal: Principal | null, storeId: string): Promise<StorePaymentSettings> {
      await storeFor(principal, storeId, RULES.readPayments);
      return present(storeId, await effective(storeId));
    },

    async update(
      principal: Principal | null,
      storeId: string,
      body: StorePaymentSettingsBody,
      ifMatch: string | undefined,
    ): Promise<StorePaymentSettings> {
      const store = await storeFor(principal, storeId, RULES.manageSettings);
      if (body.provider === 'sandbox' && !deps.providers.sandboxEnabled) {
        throw new UnprocessableError('PROVIDER_NOT_AVAILABLE', 'The sandbox does not run in this deployment.', [
          { path: '/body/provider', message: 'is not available here' },
        ]);
      }
      if (body.provider === 'stripe' && !(await deps.providers.named('stripe', store.organization_id))) {
        throw new UnprocessableError(
          'PROVIDER_NOT_CONFIGURED',
          'Add the organization’s Stripe credentials first (PUT /v1/organizations/{id}/payment-providers/stripe).',
          [{ path: '/body/provider', message: 'has no credentials' }],
        );
      }
      const saved = await inTransaction(deps.db, async (trx) => {
        const current = await repo.storeSettings(trx, storeId, { forUpdate: true });
        const version = current?.version ?? 0;
        if (
          ifMatch !== undefined &&
          ifMatch.trim() !== '*' &&
          ifMatch.replace(/^W\//, '').trim() !== settingsEtag({ version })
        )
          throw new PreconditionFailedError();
        const base = current ?? {
          provider: deps.providers.sandboxEnabled ? ('sandbox' as const) : null,
          capture_on: 'completion' as const,
        };
        const next = {
          provider: body.provider === undefined ? base.provider : body.provider,
          capture_on: body.capture_on ?? base.capture_on,
        };
        await repo.saveStoreSettings(trx, {
          store_id: storeId,
          organization_id: store.organization_id,
          ...next,
          version: version + 1,
          updated_at: deps.clock(),
        });
        await recordAudit(trx, {
          organizationId: store.organization_id,
          storeId,
          action: 'payments.settings.updated',
          target: { type: 'store', id: storeId },
          before: current ? { provider: current.provider, capture_on: current.capture_on } : null,
          after: next,
        });
        return next;
      });
      return present(storeId, {
        provider: saved.provider,
        captureOn: saved.capture_on,
        version: (await effective(storeId)).version,
      });
    },
  };
}

export type PaymentSettingsService = ReturnType<typeof createPaymentSettings>;
