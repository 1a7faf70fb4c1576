// The audit log's HTTP side: a hook that puts the authenticated caller and its address into the
// request context (recordAudit reads them there), and the owners' read. There is deliberately no
// route that writes: entries come only from recordAudit inside the writes they describe, so
// POST, PATCH and DELETE on the path answer 405.
import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { assertMayActAt } from '../auth/principal.js';
import type { Db } from '../db/index.js';
import { requestContext } from '../observability/context.js';
import { decodeCursor, isUuid, Page, PaginationQuery, problems, Timestamp, toPage, Uuid } from '../http/schema.js';
import { auditRepo, type AuditRow } from './repo.js';

/** Target ids are UUIDs or short composite keys (`<store id>/<date>`). */
const TARGET_ID = '^[A-Za-z0-9_.:/-]{1,200}$';

const Fields = Type.Unsafe<Record<string, unknown>>({
  type: 'object',
  additionalProperties: true,
  maxProperties: 500,
  description: 'Changed fields and their values; secrets and personal data read "[redacted]"',
});

export const AuditEntrySchema = Type.Object(
  {
    id: Uuid,
    organization_id: Uuid,
    store_id: Type.Union([Uuid, Type.Null()]),
    actor: Type.Object({
      kind: Type.Union([Type.Literal('user'), Type.Literal('api_key'), Type.Literal('system')]),
      id: Type.Union([Uuid, Type.Null()], { description: 'User or API key id; null for the system' }),
    }),
    action: Type.String({
      maxLength: 100,
      pattern: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*){2,3}$',
      description: 'Stable dotted name, e.g. catalog.item.updated',
    }),
    target: Type.Object({
      type: Type.String({ maxLength: 60, pattern: '^[a-z][a-z0-9_]*$', description: 'item, store, order, api_key, …' }),
      id: Type.String({
        maxLength: 200,
        pattern: TARGET_ID,
        description: 'Usually a UUID; store/date for an hours exception',
      }),
    }),
    changes: Type.Object({
      before: Type.Union([Fields, Type.Null()]),
      after: Type.Union([Fields, Type.Null()]),
    }),
    request_id: Type.Union([Type.String({ maxLength: 128, pattern: '^[A-Za-z0-9._:-]{1,128}$' }), Type.Null()]),
    ip: Type.Union([
      Type.String({ maxLength: 45, pattern: '^[0-9A-Fa-f:.]{2,45}$', description: 'IPv4 or IPv6' }),
      Type.Null(),
    ]),
    occurred_at: Timestamp,
  },
  { title: 'AuditEntry' },
);
type AuditEntryOut = Static<typeof AuditEntrySchema>;

const AuditQuery = Type.Object(
  {
    ...PaginationQuery,
    action: Type.Optional(
      Type.String({
        maxLength: 100,
        pattern: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*){0,3}(\\.\\*)?$',
        description: 'An exact action, or a prefix ending in `.*` (`catalog.*`)',
      }),
    ),
    actor: Type.Optional(Type.String({ format: 'uuid', maxLength: 36, description: 'User or API key id' })),
    store_id: Type.Optional(Uuid),
    target_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: TARGET_ID })),
    since: Type.Optional(
      Type.String({ format: 'date-time', maxLength: 40, description: 'Entries at or after (RFC 3339)' }),
    ),
    until: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'Entries before (RFC 3339)' })),
  },
  { additionalProperties: false },
);

function present(row: AuditRow): AuditEntryOut {
  const changes = (row.changes ?? {}) as {
    before?: Record<string, unknown> | null;
    after?: Record<string, unknown> | null;
  };
  return {
    id: row.id,
    organization_id: row.organization_id,
    store_id: row.store_id,
    actor: { kind: row.actor_kind, id: row.actor_id },
    action: row.action,
    target: { type: row.target_type, id: row.target_id },
    changes: { before: changes.before ?? null, after: changes.after ?? null },
    request_id: row.request_id,
    ip: row.ip,
    occurred_at: row.occurred_at.toISOString(),
  };
}

/** An address PostgreSQL's inet takes (no IPv6 zone), or null. */
function inetOf(ip: string): string | undefined {
  const bare = ip.split('%')[0] ?? '';
  return isIP(bare) ? bare : undefined;
}

const AT_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Registers the context hook (before any module's routes) and GET /v1/organizations/{id}/audit-log. */
export function registerAuditLog(instance: FastifyInstance, options: { db: Db }): void {
  // After authentication, before the handler: the handler's transactions run inside this context.
  instance.addHook('preHandler', (request, _reply, done) => {
    const principal = request.principal;
    const actor =
      principal === null
        ? undefined
        : principal.kind === 'user'
          ? { kind: 'user' as const, id: principal.userId }
          : { kind: 'api_key' as const, id: principal.apiKeyId };
    requestContext.run(
      { ...requestContext.getStore(), requestId: String(request.id), ip: inetOf(request.ip), actor },
      done,
    );
  });

  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/v1/organizations/:organizationId/audit-log',
    {
      config: { access: { roles: ['owner'] } },
      schema: {
        operationId: 'listAuditLog',
        summary: "Read the organization's audit log of staff and admin writes, newest first",
        description:
          'Owners only. Entries are written by the writes themselves and can never be created, changed or removed through the API; they are kept for AUDIT_RETENTION_DAYS.',
        tags: ['organizations'],
        security: [{ bearer: [] }],
        params: Type.Object({ organizationId: Uuid }),
        querystring: AuditQuery,
        response: { 200: Page(AuditEntrySchema), ...problems(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      const { organizationId } = request.params;
      assertMayActAt(request.principal, { organizationId }, ['owner'], [], 'organization');
      const query = request.query;
      const limit = query.limit ?? 20;
      const cursor = decodeCursor(query.cursor, ['at', 'id'], (key) => AT_KEY.test(key.at) && isUuid(key.id));
      const rows = await auditRepo.list(options.db, {
        organizationId,
        action: query.action,
        actorId: query.actor,
        storeId: query.store_id,
        targetId: query.target_id,
        since: query.since === undefined ? undefined : new Date(query.since),
        until: query.until === undefined ? undefined : new Date(query.until),
        after: cursor ?? undefined,
        limit: limit + 1,
      });
      reply.header('cache-control', 'private, no-store');
      return toPage(rows, limit, present, (row) => ({ at: row.key_at, id: row.id }));
    },
  );
}
