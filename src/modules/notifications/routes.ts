// HTTP surface of notifications: a brand's wording of its guest templates and previews (managers),
// and a guest's own channel preferences. Schemas in, one service call, schema out.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { problems } from '../../platform/http/schema.js';
import { access, RULES } from './access.js';
import type { Preferences, PreferencesService } from './preferences.js';
import {
  IfMatchHeaders,
  LocaleQuery,
  PartsBody,
  PreferencesBody,
  PreferencesSchema,
  PreviewBody,
  RenderedSchema,
  TemplateParams,
  TemplateSchema,
} from './schema.js';
import type { TemplateService } from './templates.js';

const SIGNED = { security: [{ bearer: [] }] };
const TAGS = ['notifications'];
const etagOf = (version: number) => `"${version}"`;
const TAG = /^"([0-9]{1,10})"$/;

/** null: no If-Match (or "*"); else the versions its strong tags name. */
function ifMatch(header: string | undefined): string[] | null {
  if (header === undefined || header.trim() === '*') return null;
  return header
    .split(',')
    .map((part) => TAG.exec(part.trim())?.[1])
    .filter((tag): tag is string => tag !== undefined);
}

const instant = (date: Date | null) => (date === null ? null : date.toISOString());
function presentPreferences(preferences: Preferences) {
  const channel = (choice: Preferences['email']) => ({
    transactional: choice.transactional,
    marketing: choice.marketing,
    marketing_consent_at: instant(choice.marketing_consent_at),
    marketing_withdrawn_at: instant(choice.marketing_withdrawn_at),
  });
  return {
    email: channel(preferences.email),
    sms: channel(preferences.sms),
    phone: preferences.phone,
    locale: preferences.locale,
    updated_at: instant(preferences.updated_at),
  };
}

export function notificationRoutes(deps: {
  templates: TemplateService;
  preferences: PreferencesService;
}): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onSend', async (_request, reply) => {
      reply.header('cache-control', 'private, no-store');
    });
    const path = '/organizations/:organizationId/notification-templates/:template';

    app.get(
      path,
      {
        config: { access: access(RULES.readTemplates) },
        schema: {
          operationId: 'getNotificationTemplate',
          summary: 'A guest notification’s wording in force for one language (owners, managers)',
          description:
            'Each part is the organization’s own (listed in `custom`) or the built-in one. The ETag is `version` (0: all built-in), for If-Match on PUT. An unknown template is 404 `NOTIFICATION_TEMPLATE_NOT_FOUND`.',
          tags: TAGS,
          ...SIGNED,
          params: TemplateParams,
          querystring: LocaleQuery,
          response: { 200: TemplateSchema, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const { organizationId, template } = request.params;
        const found = await deps.templates.read(request.principal, organizationId, template, request.query.locale);
        return reply.header('etag', etagOf(found.version)).send(found);
      },
    );

    app.put(
      path,
      {
        config: { access: access(RULES.editTemplates) },
        schema: {
          operationId: 'putNotificationTemplate',
          summary: 'Reword a guest notification for one language (owners, managers)',
          description:
            'Mustache templates (`{{order_number}}`, `{{#refund}}…{{/refund}}`; see docs/notifications.md for the values). Parts left out or null use the built-in wording; every part null restores it. HTML values are always escaped: `{{{x}}}`, `{{&x}}` and partials are 422 `INVALID_NOTIFICATION_TEMPLATE`, as is a part that does not parse. Honours If-Match (412). Audited.',
          tags: TAGS,
          ...SIGNED,
          params: TemplateParams,
          querystring: LocaleQuery,
          headers: IfMatchHeaders,
          body: PartsBody,
          response: { 200: TemplateSchema, ...problems(400, 401, 403, 404, 412, 415, 422) },
        },
      },
      async (request, reply) => {
        const { organizationId, template } = request.params;
        const saved = await deps.templates.put(
          request.principal,
          organizationId,
          template,
          request.query.locale,
          request.body,
          ifMatch(request.headers['if-match']),
        );
        return reply.header('etag', etagOf(saved.version)).send(saved);
      },
    );

    app.post(
      `${path}/preview`,
      {
        config: { access: access(RULES.readTemplates) },
        schema: {
          operationId: 'previewNotificationTemplate',
          summary: 'Render a guest notification with sample data (owners, managers)',
          description:
            'Renders the wording in force (or `draft` parts over it, unsaved) with a sample order, `data` laid over it. Changes nothing.',
          tags: TAGS,
          ...SIGNED,
          params: TemplateParams,
          body: PreviewBody,
          response: { 200: RenderedSchema, ...problems(400, 401, 403, 404, 415, 422) },
        },
      },
      async (request) => {
        const { organizationId, template } = request.params;
        return deps.templates.preview(request.principal, organizationId, template, request.body);
      },
    );

    app.get(
      '/me/notification-preferences',
      {
        config: { access: 'signed_in' },
        schema: {
          operationId: 'getNotificationPreferences',
          summary: 'Which messages you get, on which channel',
          description:
            'Never set: transactional messages on for both channels, marketing off, English, no phone (so no SMS).',
          tags: TAGS,
          ...SIGNED,
          response: { 200: PreferencesSchema, ...problems(401, 403) },
        },
      },
      async (request) => presentPreferences(await deps.preferences.read(request.principal)),
    );

    app.put(
      '/me/notification-preferences',
      {
        config: { access: 'signed_in' },
        schema: {
          operationId: 'putNotificationPreferences',
          summary: 'Choose which messages you get, on which channel',
          description:
            'Replaces your preferences: a `phone` left out removes it, a `locale` left out is English. Turning marketing on records your consent and its time; turning it off records the withdrawal. The phone is stored as E.164: a number that is not valid (give it internationally, or its `phone_country`) is 422 `INVALID_PHONE_NUMBER`.',
          tags: TAGS,
          ...SIGNED,
          body: PreferencesBody,
          response: { 200: PreferencesSchema, ...problems(400, 401, 403, 415, 422) },
        },
      },
      async (request) => presentPreferences(await deps.preferences.replace(request.principal, request.body)),
    );
  };
}
