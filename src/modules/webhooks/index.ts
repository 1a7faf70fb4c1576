// Webhooks: partners' endpoints, one message per (event, endpoint) made from the outbox, and
// their delivery in the Standard Webhooks format on the Svix schedule (ADR 0030). The fan-out
// runs in the relay's subscriber transaction; sending runs in the worker role's dispatch loop,
// outside any transaction, through a breaker per endpoint and the SSRF guard.
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../../config/index.js';
import { recordAudit } from '../../platform/audit/index.js';
import type { PersonalDataVault } from '../../platform/crypto/personal-data.js';
import type { Db, Tx } from '../../platform/db/index.js';
import { sendMessage } from '../../platform/messages/index.js';
import { createDispatchLoop } from '../../platform/dispatch/loop.js';
import type { CloudEvent, EventBus, EventMap } from '../../platform/events/index.js';
import type { ModuleSurface } from '../../platform/http/module.js';
import { createWebhookDelivery } from './delivery.js';
import { purgeAttempts } from './delivery-repo.js';
import { fanOut, MESSAGES_CHANNEL } from './messages.js';
import { webhookRoutes } from './routes.js';
import { seedEndpoint } from './seed.js';
import { webhookTables } from './tables.js';
import { toPublicEvent, TRANSLATED_TYPES } from './translate.js';
import { createUrlGuard } from './url-guard.js';

export { EVENT_TYPES, type PublicEventType } from './catalogue.js';

export interface WebhooksDeps {
  db: Db;
  /** For the sending loop's LISTEN; without it the loop polls. */
  pool?: pg.Pool;
  bus: EventBus<EventMap>;
  vault: PersonalDataVault;
  config: Pick<Config, 'nodeEnv' | 'webhooks' | 'outbound'>;
  logger: Logger;
  clock?: () => Date;
  registry?: Registry;
  /** Jitter of the retry schedule (tests pin it). */
  random?: () => number;
  /** Who is told by email when an endpoint gets disabled: the organization's owners. */
  ownersOf?: (trx: Tx, organizationId: string) => Promise<Array<{ email: string; name: string }>>;
}

export function createWebhooksModule(deps: WebhooksDeps) {
  const clock = deps.clock ?? (() => new Date());
  const urlGuard = createUrlGuard({
    production: deps.config.nodeEnv === 'production',
    allowedNetworks: deps.config.webhooks.allowedNetworks,
  });

  for (const type of TRANSLATED_TYPES)
    deps.bus.subscribe(type, 'webhooks.fan-out', async (event: CloudEvent, { trx }) => {
      const organizationId = (event.data as { organization_id?: unknown }).organization_id;
      if (typeof organizationId !== 'string') return;
      await fanOut(trx, {
        organizationId,
        eventId: event.id,
        at: new Date(event.time),
        now: clock(),
        event: toPublicEvent(event),
      });
    });

  const delivery = createWebhookDelivery({
    db: deps.db,
    vault: deps.vault,
    guard: urlGuard,
    clock,
    logger: deps.logger,
    outbound: deps.config.outbound,
    registry: deps.registry,
    random: deps.random,
    onDisabled: async (endpointId) => {
      await deps.db.transaction().execute(async (trx) => {
        const endpoint = await webhookTables(trx)
          .selectFrom('webhook_endpoints')
          .select(['organization_id', 'url', 'disabled_reason'])
          .where('id', '=', endpointId)
          .executeTakeFirstOrThrow();
        await recordAudit(trx, {
          organizationId: endpoint.organization_id,
          action: 'webhooks.endpoint.disabled',
          target: { type: 'webhook_endpoint', id: endpointId },
          after: { state: 'disabled', disabled_reason: endpoint.disabled_reason },
        });
        for (const owner of (await deps.ownersOf?.(trx, endpoint.organization_id)) ?? [])
          await sendMessage(trx, {
            channel: 'email',
            to: owner.email,
            template: 'webhooks.endpoint_disabled',
            data: {
              name: owner.name,
              endpoint_id: endpointId,
              url: endpoint.url,
              reason: endpoint.disabled_reason === 'gone' ? 'it answered 410 Gone' : 'every delivery failed for 5 days',
            },
          });
      });
    },
  });
  const sending = createDispatchLoop({
    name: 'webhooks',
    queue: delivery,
    logger: deps.logger,
    pollMs: 1_000,
    concurrency: 16,
    listen: deps.pool ? { pool: deps.pool, channel: MESSAGES_CHANNEL } : undefined,
  });

  const surface: ModuleSurface = {
    routes: webhookRoutes({ db: deps.db, vault: deps.vault, urlGuard, clock }),
    jobs: [
      {
        name: 'webhooks.purge-attempts',
        policy: 'singleton',
        cron: '17 4 * * *',
        async handler() {
          const purged = await purgeAttempts(deps.db, deps.config.webhooks.attemptRetentionDays);
          if (purged > 0) deps.logger.info({ purged }, 'old webhook attempts deleted');
        },
      },
    ],
    loops: [sending],
  };
  return {
    ...surface,
    sending,
    api: {
      /** An endpoint as given (bench, trusted seeds): no URL check, no audit. */
      seedEndpoint: (trx: Tx, endpoint: Parameters<typeof seedEndpoint>[2]) => seedEndpoint(trx, deps.vault, endpoint),
    },
  };
}

export type WebhooksModule = ReturnType<typeof createWebhooksModule>;
