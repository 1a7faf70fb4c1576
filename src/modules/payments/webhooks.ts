// Provider webhooks: POST /v1/payments/webhooks/{provider}. The signature is checked on the raw
// bytes, within the provider's replay window, before anything is parsed; then the event is claimed
// by its provider id and applied in the same transaction, so a redelivery is acknowledged and
// changes nothing, and an event arriving after a later one (a late "authorized" after "captured")
// changes nothing either (payments only move forward, see record.ts).
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import { inTransaction, type Db } from '../../platform/db/index.js';
import { BadRequestError, NotFoundError } from '../../platform/http/errors.js';
import { problems } from '../../platform/http/schema.js';
import { WebhookVerificationError, type PaymentProvider, type ProviderEvent, type ProviderName } from './provider.js';
import type { ProviderRegistry } from './providers/registry.js';
import type { PaymentRecorder } from './record.js';
import { paymentsRepo as repo, type PaymentRow } from './repo.js';
import { ProviderParams, WebhookAck, WebhookQuery } from './schema.js';

export interface WebhookDeps {
  db: Db;
  clock: () => Date;
  providers: Pick<ProviderRegistry, 'named'>;
  recorder: PaymentRecorder;
  logger: Logger;
  announce(payment: PaymentRow): Promise<void>;
}

export function createWebhooks(deps: WebhookDeps) {
  async function providerFor(name: string, account: string | undefined): Promise<PaymentProvider | null> {
    if (name === 'sandbox') return deps.providers.named('sandbox', '');
    // Each organization has its own Stripe endpoint (and signing secret): ?account=<organization id>.
    if (name === 'stripe' && account !== undefined) return deps.providers.named('stripe', account);
    return null;
  }

  async function apply(
    provider: ProviderName,
    event: ProviderEvent,
    account: string | undefined,
  ): Promise<{ duplicate: boolean; payment: PaymentRow | null }> {
    return inTransaction(deps.db, async (trx) => {
      const ref = event.kind === 'intent' ? event.intent.ref : event.kind === 'refund' ? event.intentRef : null;
      const payment =
        ref === null ? null : ((await repo.findByProviderRef(trx, provider, ref, { forUpdate: true })) ?? null);
      // A Stripe account's events only ever touch that organization's payments. One reaching
      // another organization's endpoint is acknowledged WITHOUT claiming its id: claims are keyed
      // by (provider, event id) alone, and Stripe delivers one event, under one id, to every
      // endpoint of the account (organizations sharing a Stripe account), so claiming it here
      // would turn the delivery to the payment's own endpoint into a "duplicate" never applied.
      if (payment && account !== undefined && payment.organization_id !== account)
        return { duplicate: false, payment: null };
      const claimed = await repo.claimWebhookEvent(trx, {
        provider,
        event_id: event.id,
        kind: event.kind === 'ignored' ? event.providerType : event.kind,
        payment_id: payment?.id ?? null,
        received_at: deps.clock(),
      });
      if (!claimed) return { duplicate: true, payment: null };
      // Not one of ours (or an event type we do not act on): acknowledged so the provider stops.
      if (!payment) return { duplicate: false, payment: null };
      if (event.kind === 'intent') await deps.recorder.applyIntent(trx, payment, event.intent);
      if (event.kind === 'refund' && event.refund.refundId !== null) {
        const refund = await repo.findRefund(trx, event.refund.refundId, { forUpdate: true });
        if (refund && refund.payment_id === payment.id) {
          if (event.refund.status === 'succeeded')
            await deps.recorder.refundSucceeded(trx, payment, refund, event.refund);
          if (event.refund.status === 'failed') await deps.recorder.refundFailed(trx, payment, refund, 'refund_failed');
        }
      }
      return { duplicate: false, payment: (await repo.find(trx, payment.id)) ?? null };
    });
  }

  const routes: FastifyPluginAsync = async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    // Encapsulated: only this route sees the raw bytes (the signature covers them exactly).
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 256 * 1024 }, (_request, body, done) =>
      done(null, body),
    );

    app.post(
      '/payments/webhooks/:provider',
      {
        // The provider authenticates by signature; it retries on its own schedule, so no rate limit.
        config: { access: 'public', rateLimit: false },
        schema: {
          operationId: 'receivePaymentWebhook',
          summary:
            'A payment provider’s signed event (sandbox: Standard Webhooks signature; Stripe: Stripe-Signature, with ?account=<organization id>)',
          description:
            'The signature is verified on the raw body before parsing, and refused outside the provider’s replay window (5 minutes): 400 WEBHOOK_SIGNATURE_INVALID. Each event is processed once by its provider id (a redelivery answers `duplicate: true`); events may arrive in any order.',
          tags: ['payments'],
          params: ProviderParams,
          querystring: WebhookQuery,
          response: { 200: WebhookAck, ...problems(400, 404, 413) },
        },
      },
      async (request) => {
        const { provider } = request.params;
        const found = await providerFor(provider, request.query.account);
        if (!found) throw new NotFoundError('webhook endpoint');
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        let event: ProviderEvent;
        try {
          event = found.verifyWebhook(raw, request.headers, deps.clock());
        } catch (error) {
          if (error instanceof WebhookVerificationError)
            throw new BadRequestError('WEBHOOK_SIGNATURE_INVALID', error.message);
          throw error;
        }
        const result = await apply(found.name, event, provider === 'stripe' ? request.query.account : undefined);
        if (result.duplicate) request.log.info({ provider, event_id: event.id }, 'payment webhook already processed');
        if (result.payment) await deps.announce(result.payment);
        return { received: true, duplicate: result.duplicate };
      },
    );
  };

  return { routes };
}
