// Notifications owns what Brigade tells people by email and SMS: the wording of every message per
// organization and language, guests' channel preferences and consent, and their delivery (ADR 0031).
import type { Logger } from 'pino';
import type { Config } from '../../config/index.js';
import type { PersonalDataVault } from '../../platform/crypto/personal-data.js';
import type { Db, Tx } from '../../platform/db/index.js';
import type { DispatchLoop } from '../../platform/dispatch/loop.js';
import type { EventBus } from '../../platform/events/index.js';
import type { ModuleSurface } from '../../platform/http/module.js';
import {
  createMessageDelivery,
  createSmtpSender,
  createTwilioSender,
  deliveryRepo,
  forgetMessagesTo,
  useMessageDelivery,
  type MessageChannel,
  type MessageSender,
} from '../../platform/messages/index.js';
import { createOutbound } from '../../platform/resilience/outbound.js';
import type { IdentityApi } from '../identity/index.js';
import type { InventoryEvents } from '../inventory/index.js';
import type { OrderingEvents } from '../ordering/index.js';
import type { TenancyApi } from '../tenancy/index.js';
import { subscribeGuestNotices, type NoticeOrderFacts } from './guest-notices.js';
import { createPreferences, mayReceive } from './preferences.js';
import { subscribeReviewRequests } from './review-requests.js';
import { notificationRoutes } from './routes.js';
import { subscribeStaffNotices } from './staff-notices.js';
import { createTemplateService } from './templates.js';

export { GUEST_TEMPLATES, LOCALES, type Locale } from './catalogue.js';
export { toE164 } from './phone.js';
export type { NoticeOrderFacts } from './guest-notices.js';

/** Ended messages (sent, failed, sandboxed) are kept this long, for support questions, then deleted. */
const RETENTION_MS = 30 * 24 * 3600 * 1000;

export interface NotificationsDeps {
  db: Db;
  config: Pick<Config, 'messages' | 'outbound' | 'nodeEnv'>;
  bus: EventBus<OrderingEvents & InventoryEvents>;
  /** Seals guests' phone numbers, and opens messages to send them (ADR 0025). */
  personalData: PersonalDataVault;
  identity: { api: Pick<IdentityApi, 'contactOf' | 'staffIdsAt'> };
  tenancy: { api: Pick<TenancyApi, 'findStore'> };
  /** An order's facts for a notice (ordering is built after notifications: read through a function). */
  orderFacts: (orderId: string, trx: Tx) => Promise<NoticeOrderFacts | null>;
  /** Whether a kitchen display shows the store's orders now (staff are mailed new orders when not). */
  kitchenFeedOpen: (trx: Tx, storeId: string) => Promise<boolean>;
  /** An item's name for a staff notice (catalog's api). */
  itemName: (itemId: string, trx: Tx) => Promise<string | null>;
  logger: Logger;
  clock?: () => Date;
  /** The retry schedule's jitter (tests fix it). */
  random?: () => number;
}

export function createNotificationsModule(deps: NotificationsDeps) {
  const clock = deps.clock ?? (() => new Date());
  const templates = createTemplateService({ db: deps.db });
  const preferences = createPreferences({ db: deps.db, vault: deps.personalData, clock });

  const senders: Partial<Record<MessageChannel, MessageSender>> = {};
  const smtp = deps.config.messages.smtp ? createSmtpSender(deps.config.messages.smtp) : null;
  if (smtp) senders.email = smtp;
  if (deps.config.messages.twilio) senders.sms = createTwilioSender(deps.config.messages.twilio);
  const production = deps.config.nodeEnv === 'production';
  useMessageDelivery({ channels: Object.keys(senders) as MessageChannel[], production });
  for (const channel of ['email', 'sms'] as const)
    if (production && !senders[channel])
      deps.logger.warn({ channel }, 'no provider configured: messages of this channel wait unsent');

  // Sends are not retried inside an attempt: the schedule retries (a repeated SMTP send is a second mail).
  const outbound = createOutbound({ ...deps.config.outbound, retries: 0 });
  const delivery: DispatchLoop = createMessageDelivery({
    db: deps.db,
    vault: deps.personalData,
    senders,
    render: templates.render,
    outbound,
    breakerPauseMs: deps.config.outbound.breakerHalfOpenAfterMs,
    logger: deps.logger,
    clock,
    random: deps.random,
  });
  const loops: DispatchLoop[] = [
    {
      name: delivery.name,
      start: () => delivery.start(),
      wake: () => delivery.wake(),
      drain: () => delivery.drain(),
      async stop() {
        await delivery.stop();
        smtp?.close();
      },
    },
  ];

  const people = {
    orderFacts: deps.orderFacts,
    contactOf: (trx: Tx, userId: string) => deps.identity.api.contactOf(trx, userId),
    storeName: async (storeId: string, trx: Tx) => (await deps.tenancy.api.findStore(storeId, trx))?.name ?? null,
    preferencesOf: (trx: Tx, userId: string) => preferences.of(trx, userId),
  };
  subscribeGuestNotices({ bus: deps.bus, ...people });
  subscribeReviewRequests({ bus: deps.bus, ...people });
  subscribeStaffNotices({
    bus: deps.bus,
    ...people,
    kitchenFeedOpen: deps.kitchenFeedOpen,
    staffIdsAt: (trx, organizationId, storeId, roles) =>
      deps.identity.api.staffIdsAt(trx, organizationId, storeId, roles),
    itemName: deps.itemName,
  });

  const surface: ModuleSurface = {
    routes: notificationRoutes({ templates, preferences }),
    jobs: [
      {
        name: 'notifications.purge-ended-messages',
        policy: 'singleton',
        cron: '41 * * * *',
        async handler() {
          const purged = await deliveryRepo.purgeEnded(deps.db, new Date(clock().getTime() - RETENTION_MS));
          if (purged > 0) deps.logger.info({ purged }, 'ended messages purged');
        },
      },
    ],
    loops,
  };

  return {
    ...surface,
    api: {
      /** Sends what is due now, until nothing is (tests, the CLI); resolves with how many were tried. */
      deliverDue: () => delivery.drain(),
      /** A message rendered as it would be sent (tests, support). */
      render: templates.render,
      /** The attempts to send a message, first first. */
      attemptsOf: (messageId: string) => deliveryRepo.attemptsOf(deps.db, messageId),
      /**
       * Forgets a person being erased (identity's DELETE /v1/me, in its transaction): their
       * preferences and phone, and every message to their email or phone, pending ones unsent.
       */
      forgetPerson: async (trx: Tx, person: { userId: string; email: string }) => {
        const { phone } = await preferences.of(trx, person.userId);
        await forgetMessagesTo(trx, phone === null ? [person.email] : [person.email, phone]);
        await preferences.forget(trx, person.userId);
      },
      /** Whether a person may get a message of this kind on this channel (marketing needs consent). */
      mayReceive: async (ex: Db, userId: string, channel: MessageChannel, kind: 'transactional' | 'marketing') =>
        mayReceive(await preferences.of(ex, userId), channel, kind),
    },
  };
}

export type NotificationsModule = ReturnType<typeof createNotificationsModule>;
