// What a brand's managers do with an endpoint's deliveries: send it a `webhook.test` message,
// queue its messages of a time range again (after an outage on their side, or once it is enabled
// again), and read its attempt log, newest first. The sending itself is the workers' (the
// messages are only queued here, in the request's transaction, with their audit entry).
import { recordAudit } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Db } from '../../platform/db/index.js';
import { UnprocessableError, type FieldError } from '../../platform/http/errors.js';
import { decodeCursor, toPage, type PageOf } from '../../platform/http/schema.js';
import { assertRule, RULES } from './access.js';
import { presentAttempt } from './endpoint-view.js';
import { findEndpoint } from './endpoints.js';
import { enqueueTestMessage, replayMessages } from './messages.js';
import type { AttemptListQuery, AttemptOut, ReplayBody } from './schema.js';
import { webhookTables } from './tables.js';

export interface DeliveryDeps {
  db: Db;
  clock: () => Date;
}

/** How far back a replay may reach: attempts and messages are kept 30 days by default. */
export const REPLAY_WINDOW_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** What is wrong with a replay's range, each problem at its pointer (empty: it is fine). */
export function replayRangeProblems(since: Date, until: Date | null, now: Date): FieldError[] {
  const problems: FieldError[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message, code: 'INVALID_REPLAY_RANGE' });
  if (since.getTime() < now.getTime() - REPLAY_WINDOW_DAYS * DAY_MS)
    problem('/body/since', `must be at most ${REPLAY_WINDOW_DAYS} days ago`);
  if (until !== null && since.getTime() >= until.getTime()) problem('/body/until', 'must be after since');
  else if (until === null && since.getTime() >= now.getTime()) problem('/body/since', 'must be in the past');
  return problems;
}

export function createDeliveryService(deps: DeliveryDeps) {
  const { db, clock } = deps;

  return {
    /** Queues a `webhook.test` message to the endpoint; the answer names it. */
    async sendTest(principal: Principal | null, organizationId: string, id: string): Promise<{ message_id: string }> {
      assertRule(principal, RULES.manageEndpoints, organizationId);
      return inTransaction(db, async (trx) => {
        // Locked: a delete committing meanwhile would otherwise leave the test message pending.
        const endpoint = await findEndpoint(trx, organizationId, id, true);
        const queued = await enqueueTestMessage(trx, endpoint, clock());
        await recordAudit(trx, {
          organizationId,
          action: 'webhooks.endpoint.tested',
          target: { type: 'webhook_endpoint', id },
          after: { message_id: queued.message_id },
        });
        return queued;
      });
    },

    /**
     * Queues again the endpoint's messages created in [since, until), delivered and failed ones
     * alike. Each keeps its webhook-id: to a receiver that deduplicates, a replay of a message it
     * already processed is a redelivery.
     */
    async replay(
      principal: Principal | null,
      organizationId: string,
      id: string,
      body: ReplayBody,
    ): Promise<{ queued: number }> {
      assertRule(principal, RULES.manageEndpoints, organizationId);
      const since = new Date(body.since);
      const until = body.until === undefined ? null : new Date(body.until);
      const problems = replayRangeProblems(since, until, clock());
      if (problems.length > 0)
        throw new UnprocessableError(
          'INVALID_REPLAY_RANGE',
          `A replay covers a range in the last ${REPLAY_WINDOW_DAYS} days, since before until.`,
          problems,
        );
      return inTransaction(db, async (trx) => {
        await findEndpoint(trx, organizationId, id, true);
        const queued = await replayMessages(trx, id, since, until, clock());
        await recordAudit(trx, {
          organizationId,
          action: 'webhooks.endpoint.replayed',
          target: { type: 'webhook_endpoint', id },
          after: { since: body.since, until: body.until ?? null, queued },
        });
        return { queued };
      });
    },

    /** The endpoint's attempts, newest first (UUIDv7 ids: id order is time order), in keyset pages. */
    async attempts(
      principal: Principal | null,
      organizationId: string,
      id: string,
      query: AttemptListQuery,
    ): Promise<PageOf<AttemptOut>> {
      assertRule(principal, RULES.manageEndpoints, organizationId);
      await findEndpoint(db, organizationId, id);
      const limit = query.limit ?? 20;
      const before = decodeCursor(query.cursor, ['id'] as const);
      // Joined to the endpoint of this organization: attempts carry no organization of their own.
      let select = webhookTables(db)
        .selectFrom('webhook_attempts as a')
        .innerJoin('webhook_endpoints as e', 'e.id', 'a.endpoint_id')
        .select([
          'a.id',
          'a.message_id',
          'a.attempted_at',
          'a.succeeded',
          'a.status_code',
          'a.duration_ms',
          'a.response_excerpt',
          'a.error',
        ])
        .where('e.organization_id', '=', organizationId)
        .where('a.endpoint_id', '=', id)
        .orderBy('a.id', 'desc')
        .limit(limit + 1);
      if (before) select = select.where('a.id', '<', before.id);
      return toPage(await select.execute(), limit, presentAttempt, (row) => ({ id: row.id }));
    },
  };
}

export type DeliveryService = ReturnType<typeof createDeliveryService>;
