// An organization's webhook endpoints as its owners and managers manage them: registered (the
// URL through the SSRF guard, every event type from the public catalogue, a new signing secret
// sealed at rest and answered once), listed, read (a hint of the secret only), changed under
// If-Match, deleted (softly: its pending messages stop in the same transaction), re-keyed (the
// old secret keeps signing alongside for 24 hours, so receivers can switch without losing a
// message) and enabled again after Brigade disabled it. Sending a test, replaying and the attempt
// log are in endpoint-deliveries.ts. Every write is one transaction with its audit entry; every
// query names the organization, so one brand never reads or changes another's endpoints.
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { recordAudit } from '../../platform/audit/index.js';
import type { Principal } from '../../platform/auth/principal.js';
import type { PersonalDataVault } from '../../platform/crypto/personal-data.js';
import { inTransaction, type Db, type Tx } from '../../platform/db/index.js';
import {
  AppError,
  NotFoundError,
  PreconditionFailedError,
  UnprocessableError,
  type FieldError,
} from '../../platform/http/errors.js';
import { decodeCursor, toPage, type PageOf } from '../../platform/http/schema.js';
import { assertRule, RULES } from './access.js';
import { isPublicEventType } from './catalogue.js';
import { audited, ENDPOINT_COLUMNS, presentEndpoint, type EndpointRow } from './endpoint-view.js';
import type {
  CreateEndpointBody,
  EndpointListQuery,
  EndpointOut,
  EndpointWithSecretOut,
  PatchEndpointBody,
} from './schema.js';
import { sealSecret } from './secrets.js';
import { newSecret, secretHint } from './signing.js';
import { webhookTables, type Executor } from './tables.js';
import type { UrlGuard } from './url-guard.js';

export interface EndpointDeps {
  db: Db;
  vault: PersonalDataVault;
  urlGuard: Pick<UrlGuard, 'check'>;
  clock: () => Date;
}

/** How long a rotated-out secret keeps signing beside the new one. */
export const PREVIOUS_SECRET_TTL_MS = 24 * 60 * 60 * 1000;

export const WEBHOOK_ENDPOINT_NOT_FOUND = 'WEBHOOK_ENDPOINT_NOT_FOUND';
export const endpointNotFound = () => new NotFoundError('webhook endpoint', WEBHOOK_ENDPOINT_NOT_FOUND);

/** The organization's endpoint (not deleted), locked for the write when `lock`; else 404. */
export async function findEndpoint(
  ex: Db | Tx,
  organizationId: string,
  id: string,
  lock = false,
): Promise<EndpointRow> {
  let query = webhookTables(ex as Executor)
    .selectFrom('webhook_endpoints')
    .select(ENDPOINT_COLUMNS)
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw endpointNotFound();
  return row;
}

/** Every event type the catalogue does not know, at its pointer: all of them at once. */
export function unknownEventTypes(eventTypes: readonly string[]): FieldError[] {
  return eventTypes.flatMap((type, i) =>
    isPublicEventType(type)
      ? []
      : [{ path: `/body/event_types/${i}`, code: 'UNKNOWN_EVENT_TYPE', message: `${type} is not in the catalogue` }],
  );
}

function checkEventTypes(eventTypes: readonly string[]): void {
  const problems = unknownEventTypes(eventTypes);
  if (problems.length > 0)
    throw new UnprocessableError(
      'UNKNOWN_EVENT_TYPE',
      'Every event type must be one of GET /v1/webhook-event-types.',
      problems,
    );
}

function checkVersion(ifMatch: string[] | null, row: EndpointRow): void {
  if (ifMatch !== null && !ifMatch.includes(String(row.version))) throw new PreconditionFailedError();
}

export function createEndpointService(deps: EndpointDeps) {
  const { db, vault, clock } = deps;

  /**
   * The SSRF guard, before any transaction (it resolves the host: no connection held while DNS
   * answers), its refusal pointed at the field.
   */
  async function checkUrl(url: string): Promise<void> {
    try {
      await deps.urlGuard.check(url);
    } catch (error) {
      if (error instanceof AppError && error.code === 'WEBHOOK_URL_NOT_ALLOWED')
        throw new UnprocessableError(error.code, error.message, [
          { path: '/body/url', code: error.code, message: error.message },
        ]);
      throw error;
    }
  }

  const withSecret = (row: EndpointRow, secret: string): EndpointWithSecretOut => ({
    ...presentEndpoint(row),
    secret,
  });

  return {
    async list(
      principal: Principal | null,
      organizationId: string,
      query: EndpointListQuery,
    ): Promise<PageOf<EndpointOut>> {
      assertRule(principal, RULES.manageEndpoints, organizationId);
      const limit = query.limit ?? 20;
      const after = decodeCursor(query.cursor, ['id'] as const);
      let select = webhookTables(db)
        .selectFrom('webhook_endpoints')
        .select(ENDPOINT_COLUMNS)
        .where('organization_id', '=', organizationId)
        .where('deleted_at', 'is', null)
        .orderBy('id')
        .limit(limit + 1);
      if (after) select = select.where('id', '>', after.id);
      return toPage(await select.execute(), limit, presentEndpoint, (row) => ({ id: row.id }));
    },

    async get(principal: Principal | null, organizationId: string, id: string): Promise<EndpointOut> {
      assertRule(principal, RULES.manageEndpoints, organizationId);
      return presentEndpoint(await findEndpoint(db, organizationId, id));
    },

    /** Registers the endpoint; the answer holds its secret, the only time it is ever shown. */
    async create(
      principal: Principal | null,
      organizationId: string,
      body: CreateEndpointBody,
    ): Promise<EndpointWithSecretOut> {
      assertRule(principal, RULES.manageEndpoints, organizationId);
      checkEventTypes(body.event_types);
      await checkUrl(body.url);
      const id = uuidv7();
      const secret = newSecret();
      const at = clock();
      return inTransaction(db, async (trx) => {
        await webhookTables(trx)
          .insertInto('webhook_endpoints')
          .values({
            id,
            organization_id: organizationId,
            url: body.url,
            description: body.description ?? null,
            event_types: body.event_types,
            rate_limit_per_second: body.rate_limit_per_second ?? null,
            ordered: body.ordered ?? false,
            secret_sealed: await sealSecret(trx, vault, id, secret),
            secret_hint: secretHint(secret),
            previous_secret_sealed: null,
            previous_secret_expires_at: null,
            disabled_reason: null,
            disabled_at: null,
            failing_since: null,
            created_at: at,
            updated_at: at,
            deleted_at: null,
          })
          .execute();
        const row = await findEndpoint(trx, organizationId, id);
        await recordAudit(trx, {
          organizationId,
          action: 'webhooks.endpoint.created',
          target: { type: 'webhook_endpoint', id },
          after: audited(row),
        });
        return withSecret(row, secret);
      });
    },

    async update(
      principal: Principal | null,
      organizationId: string,
      id: string,
      body: PatchEndpointBody,
      ifMatch: string[] | null,
    ): Promise<EndpointOut> {
      assertRule(principal, RULES.manageEndpoints, organizationId);
      if (body.event_types !== undefined) checkEventTypes(body.event_types);
      // A new URL goes through the guard like a first one: it is where the brand's data will go.
      if (body.url !== undefined) await checkUrl(body.url);
      return inTransaction(db, async (trx) => {
        const current = await findEndpoint(trx, organizationId, id, true);
        checkVersion(ifMatch, current);
        await webhookTables(trx)
          .updateTable('webhook_endpoints')
          .set({
            ...(body.url === undefined ? {} : { url: body.url }),
            ...(body.event_types === undefined ? {} : { event_types: body.event_types }),
            ...(body.description === undefined ? {} : { description: body.description }),
            ...(body.rate_limit_per_second === undefined ? {} : { rate_limit_per_second: body.rate_limit_per_second }),
            ...(body.ordered === undefined ? {} : { ordered: body.ordered }),
            version: sql`version + 1`,
            updated_at: clock(),
          })
          .where('organization_id', '=', organizationId)
          .where('id', '=', id)
          .execute();
        const row = await findEndpoint(trx, organizationId, id);
        await recordAudit(trx, {
          organizationId,
          action: 'webhooks.endpoint.updated',
          target: { type: 'webhook_endpoint', id },
          before: audited(current),
          after: audited(row),
        });
        return presentEndpoint(row);
      });
    },

    /**
     * Deletes the endpoint (kept, marked deleted: its messages and attempts still reference it)
     * and stops its pending messages, failed now, in the same transaction: nothing is sent to
     * it after the 204.
     */
    async remove(principal: Principal | null, organizationId: string, id: string, ifMatch: string[] | null) {
      assertRule(principal, RULES.manageEndpoints, organizationId);
      await inTransaction(db, async (trx) => {
        const current = await findEndpoint(trx, organizationId, id, true);
        checkVersion(ifMatch, current);
        const at = clock();
        await webhookTables(trx)
          .updateTable('webhook_endpoints')
          .set({ deleted_at: at, updated_at: at, version: sql`version + 1` })
          .where('organization_id', '=', organizationId)
          .where('id', '=', id)
          .execute();
        const stopped = await webhookTables(trx)
          .updateTable('webhook_messages')
          .set({ state: 'failed', finished_at: at, leased_until: null })
          .where('organization_id', '=', organizationId)
          .where('endpoint_id', '=', id)
          .where('state', '=', 'pending')
          .executeTakeFirst();
        await recordAudit(trx, {
          organizationId,
          action: 'webhooks.endpoint.deleted',
          target: { type: 'webhook_endpoint', id },
          before: audited(current),
          after: { pending_messages_stopped: Number(stopped.numUpdatedRows) },
        });
      });
    },

    /**
     * A new signing secret, answered this once. The current one becomes the previous one and
     * keeps signing beside it for 24 hours (both signatures in the header); a secret rotated
     * out earlier than that stops signing at once.
     */
    async rotateSecret(
      principal: Principal | null,
      organizationId: string,
      id: string,
      ifMatch: string[] | null,
    ): Promise<EndpointWithSecretOut> {
      assertRule(principal, RULES.manageEndpoints, organizationId);
      const secret = newSecret();
      return inTransaction(db, async (trx) => {
        const current = await findEndpoint(trx, organizationId, id, true);
        checkVersion(ifMatch, current);
        const at = clock();
        await webhookTables(trx)
          .updateTable('webhook_endpoints')
          .set({
            // The column's own value, moved in SQL: the old secret is never opened to rotate it.
            previous_secret_sealed: sql<Buffer>`secret_sealed`,
            previous_secret_expires_at: new Date(at.getTime() + PREVIOUS_SECRET_TTL_MS),
            secret_sealed: await sealSecret(trx, vault, id, secret),
            secret_hint: secretHint(secret),
            version: sql`version + 1`,
            updated_at: at,
          })
          .where('organization_id', '=', organizationId)
          .where('id', '=', id)
          .execute();
        const row = await findEndpoint(trx, organizationId, id);
        await recordAudit(trx, {
          organizationId,
          action: 'webhooks.endpoint.secret_rotated',
          target: { type: 'webhook_endpoint', id },
          before: { secret_hint: current.secret_hint, version: current.version },
          after: { secret_hint: row.secret_hint, version: row.version },
        });
        return withSecret(row, secret);
      });
    },

    /**
     * Enables the endpoint again after Brigade disabled it, its failure streak forgotten. Already
     * enabled: answered as it is, nothing written. Messages that failed meanwhile stay failed
     * (replay them).
     */
    async enable(principal: Principal | null, organizationId: string, id: string): Promise<EndpointOut> {
      assertRule(principal, RULES.manageEndpoints, organizationId);
      return inTransaction(db, async (trx) => {
        const current = await findEndpoint(trx, organizationId, id, true);
        if (current.state === 'enabled' && current.disabled_at === null) return presentEndpoint(current);
        await webhookTables(trx)
          .updateTable('webhook_endpoints')
          .set({
            state: 'enabled',
            disabled_reason: null,
            disabled_at: null,
            failing_since: null,
            version: sql`version + 1`,
            updated_at: clock(),
          })
          .where('organization_id', '=', organizationId)
          .where('id', '=', id)
          .execute();
        const row = await findEndpoint(trx, organizationId, id);
        await recordAudit(trx, {
          organizationId,
          action: 'webhooks.endpoint.enabled',
          target: { type: 'webhook_endpoint', id },
          before: audited(current),
          after: audited(row),
        });
        return presentEndpoint(row);
      });
    },
  };
}

export type EndpointService = ReturnType<typeof createEndpointService>;
