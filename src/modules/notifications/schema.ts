// Request and response schemas of notifications' routes: one source for validation, types and OpenAPI.
import { Type, type Static } from 'typebox';
import { Count, Nullable, Timestamp, Uuid } from '../../platform/http/schema.js';
import { GUEST_TEMPLATES, LOCALES } from './catalogue.js';

const closed = { additionalProperties: false } as const;

export const LocaleSchema = Type.Union([Type.Literal('en'), Type.Literal('de')], {
  description: `Language: ${LOCALES.join(', ')}`,
});

export const TemplateParams = Type.Object({
  organizationId: Uuid,
  template: Type.String({
    minLength: 1,
    maxLength: 100,
    description: `A guest template: ${GUEST_TEMPLATES.map((name) => `\`${name}\``).join(', ')}`,
  }),
});

export const LocaleQuery = Type.Object({ locale: LocaleSchema }, closed);

const part = (maxLength: number, description: string) =>
  Type.Optional(Nullable(Type.String({ minLength: 1, maxLength, description })));

export const PartsBody = Type.Object(
  {
    subject: part(300, 'Email subject (plain text); null or left out: the built-in wording'),
    text: part(20_000, 'Email text part (plain text)'),
    html: part(100_000, 'Email HTML body (values are HTML-escaped; `{{{x}}}` and `{{&x}}` are refused)'),
    sms: part(1600, 'SMS text'),
  },
  closed,
);
export type PartsBody = Static<typeof PartsBody>;

export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({
      maxLength: 200,
      description: 'ETag from a previous read: the write happens only if it is still current (else 412)',
    }),
  ),
});

const PartNames = Type.Union([
  Type.Literal('subject'),
  Type.Literal('text'),
  Type.Literal('html'),
  Type.Literal('sms'),
]);

export const TemplateSchema = Type.Object({
  template: Type.String({ maxLength: 100 }),
  locale: LocaleSchema,
  subject: Type.String({ maxLength: 300 }),
  text: Type.String({ maxLength: 20_000 }),
  html: Type.String({ maxLength: 100_000 }),
  sms: Type.String({ maxLength: 1600 }),
  custom: Type.Array(PartNames, { maxItems: 4, description: 'Parts the organization reworded' }),
  version: Count({ description: '0 while the built-in wording is in force; the ETag' }),
  updated_at: Nullable(Timestamp),
});

export const PreviewBody = Type.Object(
  {
    locale: LocaleSchema,
    data: Type.Optional(
      Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), {
        maxProperties: 50,
        description: 'Values laid over the sample order (`order_number`, `store_name`, `customer_name`, …)',
      }),
    ),
    draft: Type.Optional(PartsBody),
  },
  closed,
);
export type PreviewBody = Static<typeof PreviewBody>;

export const RenderedSchema = Type.Object({
  subject: Type.String({ maxLength: 10_000 }),
  text: Type.String({ maxLength: 1_000_000 }),
  html: Type.String({ maxLength: 1_000_000 }),
  sms: Type.String({ maxLength: 100_000 }),
});

const ChannelIn = Type.Object(
  {
    transactional: Type.Boolean({ description: 'About your orders (confirmed, ready, on its way…)' }),
    marketing: Type.Boolean({ description: 'Offers and news; turning it on records your consent' }),
  },
  closed,
);

export const PreferencesBody = Type.Object(
  {
    email: ChannelIn,
    sms: ChannelIn,
    phone: Type.Optional(
      Nullable(Type.String({ minLength: 3, maxLength: 40, description: 'Where SMS go; stored as E.164' })),
    ),
    phone_country: Type.Optional(
      Nullable(
        Type.String({
          pattern: '^[A-Z]{2}$',
          maxLength: 2,
          description: 'ISO 3166 country of a number given in national form',
        }),
      ),
    ),
    locale: Type.Optional(LocaleSchema),
  },
  closed,
);
export type PreferencesBody = Static<typeof PreferencesBody>;

const ChannelOut = Type.Object({
  transactional: Type.Boolean(),
  marketing: Type.Boolean(),
  marketing_consent_at: Nullable(Timestamp),
  marketing_withdrawn_at: Nullable(Timestamp),
});

export const PreferencesSchema = Type.Object({
  email: ChannelOut,
  sms: ChannelOut,
  phone: Nullable(Type.String({ maxLength: 20, description: 'E.164' })),
  locale: LocaleSchema,
  updated_at: Nullable(Timestamp),
});
