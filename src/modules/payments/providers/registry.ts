// Which provider holds a payment, takes a store's online payments, or sent a webhook. The
// sandbox is one processor for the whole deployment (its keys come from config); Stripe is per
// organization, with the organization's own sealed credentials, opened only here and kept only
// in memory.
import type { Config } from '../../../config/index.js';
import type { Db } from '../../../platform/db/index.js';
import type { Sealer } from '../../../platform/crypto/sealing.js';
import type { Outbound } from '../../../platform/resilience/outbound.js';
import type { PaymentProvider, ProviderName } from '../provider.js';
import { paymentsRepo as repo } from '../repo.js';
import { createCashProvider } from './cash.js';
import { createSandboxProvider } from './sandbox.js';
import { createStripeProvider } from './stripe.js';

export interface StripeCredentials {
  secret_key: string;
  webhook_secret: string;
}

/** Sealed values are bound to their organization and purpose: a row copied elsewhere fails to open. */
export const credentialsContext = (organizationId: string, provider: 'stripe') =>
  `payment-credentials:${provider}:${organizationId}`;

export interface ProviderRegistryDeps {
  db: Db;
  config: Config['payments'];
  /** The sandbox's keys, resolved at start (from config or the development data folder); null when it is off. */
  sandboxKeys: { secretKey: string; webhookSecret: string } | null;
  outbound: Outbound;
  sealer: Sealer;
}

export class ProviderNotConfiguredError extends Error {
  constructor(readonly provider: ProviderName) {
    super(`The ${provider} provider is not configured here`);
  }
}

export function createProviderRegistry(deps: ProviderRegistryDeps) {
  const cash = createCashProvider();
  const sandbox = deps.sandboxKeys
    ? createSandboxProvider({ url: deps.config.sandbox.url, ...deps.sandboxKeys, outbound: deps.outbound })
    : null;
  const stripeByOrganization = new Map<string, { updatedAt: number; provider: PaymentProvider }>();

  async function stripeOf(organizationId: string): Promise<PaymentProvider | null> {
    const account = await repo.providerAccount(deps.db, organizationId, 'stripe');
    if (!account) return null;
    const cached = stripeByOrganization.get(organizationId);
    if (cached && cached.updatedAt === account.updated_at.getTime()) return cached.provider;
    const credentials = JSON.parse(
      deps.sealer.open(account.sealed_credentials, credentialsContext(organizationId, 'stripe')),
    ) as StripeCredentials;
    const provider = createStripeProvider({
      secretKey: credentials.secret_key,
      webhookSecret: credentials.webhook_secret,
      apiUrl: deps.config.stripeApiUrl,
      outbound: deps.outbound,
    });
    stripeByOrganization.set(organizationId, { updatedAt: account.updated_at.getTime(), provider });
    return provider;
  }

  /** The provider by name for an organization, or null when it is not set up there. */
  async function named(name: ProviderName, organizationId: string): Promise<PaymentProvider | null> {
    if (name === 'cash') return cash;
    if (name === 'sandbox') return sandbox;
    return stripeOf(organizationId);
  }

  return {
    cash,
    /** Whether the sandbox runs in this deployment (the default provider of new stores when it does). */
    sandboxEnabled: sandbox !== null,
    named,
    /** The provider holding this payment. Throws when it is no longer configured (credentials removed). */
    async of(payment: { provider: ProviderName; organization_id: string }): Promise<PaymentProvider> {
      const provider = await named(payment.provider, payment.organization_id);
      if (!provider) throw new ProviderNotConfiguredError(payment.provider);
      return provider;
    },
  };
}

export type ProviderRegistry = ReturnType<typeof createProviderRegistry>;
