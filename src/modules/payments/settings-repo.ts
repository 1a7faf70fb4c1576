// SQL for a store's payment settings (which provider, when to capture) and for an organization's
// sealed provider credentials. Every function takes the executor (the pool or a transaction) first.
import { paymentTables as t, type Executor, type StorePaymentSettingsRow } from './tables.js';

export const paymentSettingsRepo = {
  async storeSettings(
    ex: Executor,
    storeId: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<StorePaymentSettingsRow | undefined> {
    let query = t(ex).selectFrom('store_payment_settings').selectAll().where('store_id', '=', storeId);
    if (options.forUpdate) query = query.forUpdate();
    return query.executeTakeFirst();
  },

  async saveStoreSettings(
    ex: Executor,
    row: Omit<StorePaymentSettingsRow, 'version'> & { version: number },
  ): Promise<void> {
    await t(ex)
      .insertInto('store_payment_settings')
      .values(row)
      .onConflict((oc) =>
        oc.column('store_id').doUpdateSet({
          provider: row.provider,
          capture_on: row.capture_on,
          version: row.version,
          updated_at: row.updated_at,
        }),
      )
      .execute();
  },

  async providerAccount(ex: Executor, organizationId: string, provider: 'stripe') {
    return t(ex)
      .selectFrom('payment_provider_accounts')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('provider', '=', provider)
      .executeTakeFirst();
  },

  async saveProviderAccount(
    ex: Executor,
    row: { organization_id: string; provider: 'stripe'; sealed_credentials: Buffer; key_hint: string; at: Date },
  ): Promise<void> {
    const values = {
      organization_id: row.organization_id,
      provider: row.provider,
      sealed_credentials: row.sealed_credentials,
      key_hint: row.key_hint,
      created_at: row.at,
      updated_at: row.at,
    };
    await t(ex)
      .insertInto('payment_provider_accounts')
      .values(values)
      .onConflict((oc) =>
        oc
          .columns(['organization_id', 'provider'])
          .doUpdateSet({ sealed_credentials: row.sealed_credentials, key_hint: row.key_hint, updated_at: row.at }),
      )
      .execute();
  },

  async deleteProviderAccount(ex: Executor, organizationId: string, provider: 'stripe'): Promise<boolean> {
    const result = await t(ex)
      .deleteFrom('payment_provider_accounts')
      .where('organization_id', '=', organizationId)
      .where('provider', '=', provider)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  },
};
