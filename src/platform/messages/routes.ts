// GET /sandbox/v1/messages: the sandbox outbox, in development and tests only (the app never
// registers it in production). It lets a developer, the README walkthrough and the test suite
// read the mail Brigade would have sent: verification and reset tokens included, which is why
// it exists nowhere near production and its answers are never cached.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../db/index.js';
import { Count, decodeCursor, Page, PaginationQuery, problems, Timestamp, toPage, Uuid } from '../http/schema.js';
import { messagesRepo, type MessageRow } from './repo.js';
import { messageSealing } from './sealing.js';
import { TEMPLATE_PATTERN } from './template.js';

const MessagesQuery = Type.Object(
  {
    ...PaginationQuery,
    to: Type.Optional(
      Type.String({ minLength: 1, maxLength: 320, description: 'Only messages to this address (any letter case)' }),
    ),
  },
  { additionalProperties: false },
);

const Message = Type.Object({
  id: Uuid,
  channel: Type.Union([Type.Literal('email'), Type.Literal('sms')]),
  to: Type.String({ maxLength: 320 }),
  template: Type.String({
    maxLength: 100,
    pattern: TEMPLATE_PATTERN.source,
    description: 'What the message says, e.g. identity.password_reset',
  }),
  data: Type.Record(Type.String(), Type.Unknown(), { description: 'What the template is rendered with' }),
  state: Type.Union(
    [Type.Literal('pending'), Type.Literal('sent'), Type.Literal('failed'), Type.Literal('sandboxed')],
    {
      description: '`sandboxed`: no provider for its channel here, so it stays in this outbox and is never sent',
    },
  ),
  attempts: Count({ description: 'Tries to hand it to its provider so far' }),
  created_at: Timestamp,
});

function present(row: MessageRow) {
  return {
    id: row.id,
    channel: row.channel,
    to: row.recipient,
    template: row.template,
    data: row.data as Record<string, unknown>,
    state: row.state,
    attempts: row.attempts,
    created_at: row.created_at.toISOString(),
  };
}

export async function registerSandboxMessages(app: FastifyInstance, deps: { db: Db }): Promise<void> {
  await app.register(async (plugin) => {
    const routes = plugin.withTypeProvider<TypeBoxTypeProvider>();
    routes.addHook('onSend', async (_request, reply) => {
      reply.header('cache-control', 'private, no-store');
    });
    routes.get(
      '/sandbox/v1/messages',
      {
        config: { access: 'public' },
        schema: {
          operationId: 'listSandboxMessages',
          summary: 'The sandbox outbox: emails and SMS Brigade sent (development and tests only)',
          description:
            'Newest first, keyset paginated, `?to=` for one recipient. Absent in production. Messages hold tokens and links: this is what a mailbox would show.',
          tags: ['platform'],
          querystring: MessagesQuery,
          response: { 200: Page(Message), ...problems(400) },
        },
      },
      async (request) => {
        const { limit = 20, cursor, to } = request.query;
        const after = decodeCursor(cursor, ['id'] as const);
        const rows = await messagesRepo.listNewestFirst(deps.db, messageSealing(), {
          limit: limit + 1,
          beforeId: after?.id ?? null,
          to: to ?? null,
        });
        return toPage(rows, limit, present, (row) => ({ id: row.id }));
      },
    );
  });
}
