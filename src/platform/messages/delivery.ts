// Delivery of outgoing messages: the shared dispatch loop (platform/dispatch) leases due pending
// messages, and each is rendered (by the renderer the notifications module hands in: templates
// belong to it), handed to its channel's sender outside any transaction, through the provider's
// breaker and timeout (resilience/outbound.ts), and its outcome recorded with the next attempt
// on the shared retry schedule. A provider whose breaker is open gets no attempt counted: its
// messages wait out the pause. ADR 0031.
import type { Logger } from 'pino';
import type { PersonalDataVault } from '../crypto/personal-data.js';
import type { Db } from '../db/index.js';
import { createDispatchLoop, type DispatchLoop } from '../dispatch/loop.js';
import { nextAttemptAt } from '../dispatch/schedule.js';
import { DependencyUnavailableError, type Outbound } from '../resilience/outbound.js';
import { deliveryRepo, type AttemptOutcome, type LeasedMessage } from './delivery-repo.js';
import { messagesRepo, type MessageChannel, type MessageRow } from './repo.js';
import {
  maskedError,
  PermanentSendError,
  TransientSendError,
  type MessageSender,
  type RenderedMessage,
} from './senders.js';

/** Renders a message for its channel; null when no such template exists (the message fails). */
export type MessageRenderer = (
  message: Pick<MessageRow, 'template' | 'channel' | 'organization_id' | 'locale' | 'data'>,
) => Promise<RenderedMessage | null>;

export interface MessageDeliveryDeps {
  db: Db;
  vault: PersonalDataVault;
  /** The channels this process delivers; a channel without a sender is never leased. */
  senders: Partial<Record<MessageChannel, MessageSender>>;
  render: MessageRenderer;
  outbound: Pick<Outbound, 'call'>;
  /** How long messages of a provider whose breaker is open wait before being tried again. */
  breakerPauseMs: number;
  logger: Logger;
  /** Due times and leases are read on this clock (tests move it). */
  clock?: () => Date;
  /** The schedule's jitter (tests fix it). */
  random?: () => number;
  pollMs?: number;
}

type Attempt = AttemptOutcome | { kind: 'released'; until: Date };

export function createMessageDelivery(deps: MessageDeliveryDeps): DispatchLoop {
  const now = deps.clock ?? (() => new Date());
  const channels = (Object.keys(deps.senders) as MessageChannel[]).filter((channel) => deps.senders[channel]);

  async function attempt(job: LeasedMessage, message: MessageRow, sender: MessageSender): Promise<Attempt> {
    let rendered: RenderedMessage | null;
    try {
      rendered = await deps.render(message);
    } catch (error) {
      return retry(job, maskedError(error), null);
    }
    if (rendered === null) return { kind: 'failed', error: `No template "${message.template}"` };
    const envelope = { id: message.id, to: message.recipient, rendered };
    try {
      // A refusal for good is the message's fault, not the provider's: it must not open the breaker.
      const sent = await deps.outbound.call(
        sender.destination,
        async (signal) => {
          try {
            return await sender.send(envelope, signal);
          } catch (error) {
            if (error instanceof PermanentSendError) return error;
            throw error;
          }
        },
        { idempotent: false },
      );
      if (sent instanceof PermanentSendError) return { kind: 'failed', error: maskedError(sent) };
      return { kind: 'sent', providerMessageId: sent.providerMessageId };
    } catch (error) {
      if (
        error instanceof DependencyUnavailableError &&
        (error.code === 'CIRCUIT_OPEN' || error.code === 'DEPENDENCY_SATURATED')
      )
        return { kind: 'released', until: new Date(now().getTime() + deps.breakerPauseMs) };
      const cause = error instanceof DependencyUnavailableError && error.cause !== undefined ? error.cause : error;
      const asked = cause instanceof TransientSendError ? cause.retryAfterSeconds : null;
      return retry(job, maskedError(cause), asked);
    }
  }

  function retry(job: LeasedMessage, error: string, retryAfterSeconds: number | null): AttemptOutcome {
    const next = nextAttemptAt(job.attempts + 1, now(), { retryAfterSeconds, random: deps.random });
    return { kind: 'retry', error, nextAttemptAt: next };
  }

  return createDispatchLoop<LeasedMessage>({
    name: 'messages',
    logger: deps.logger,
    pollMs: deps.pollMs,
    queue: {
      lease: (limit) => deliveryRepo.lease(deps.db, channels, now(), limit),
      async send(job) {
        const message = await messagesRepo.find(deps.db, deps.vault, job.id);
        const sender = message ? deps.senders[message.channel] : undefined;
        if (!message || !sender) return;
        const startedAt = now();
        const started = performance.now();
        const outcome = await attempt(job, message, sender);
        if (outcome.kind === 'released') {
          await deliveryRepo.release(deps.db, job, outcome.until);
          return;
        }
        const log = { message_id: job.id, template: message.template, attempt: job.attempts + 1 };
        if (outcome.kind !== 'sent')
          deps.logger.warn(
            { ...log, error: outcome.error, gave_up: outcome.kind === 'failed' || outcome.nextAttemptAt === null },
            'a message could not be sent',
          );
        await deliveryRepo.record(deps.db, job, { startedAt, durationMs: performance.now() - started, outcome });
      },
    },
  });
}
