// Rendering with Mustache: logic-less (no code runs, whoever wrote the template), every {{x}}
// HTML-escaped in the HTML part. Templates may not unescape ({{{x}}}, {{&x}}) in HTML nor pull
// in partials ({{>x}}), so a guest's name or a store's name can never become markup. The text
// parts (subject, text, SMS) are plain text, rendered unescaped. Money values in the data
// ({amount, currency}) are shown formatted for the message's language.
import Mustache from 'mustache';
import { formatMoney } from '../../platform/money.js';
import type { Locale, Part, TemplateParts } from './catalogue.js';

/** The span types Mustache.parse yields that a part may not use. */
const FORBIDDEN: Record<Part, ReadonlySet<string>> = {
  subject: new Set(['>']),
  text: new Set(['>']),
  sms: new Set(['>']),
  html: new Set(['>', '&']),
};
type Span = [string, string, number, number, Span[]?, ...unknown[]];
/** Span types that look a name up in the data. */
const LOOKUPS = new Set(['name', '&', '#', '^']);
const PROTOTYPES: unknown[] = [{}, [], ''];

/** A name reaching a built-in method (`{{lines.map}}`, `{{#constructor}}`): Mustache would call it. */
function reachesBuiltIn(name: string): boolean {
  return name
    .split('.')
    .some((segment) => PROTOTYPES.some((proto) => typeof (proto as Record<string, unknown>)[segment] === 'function'));
}

function* spans(tokens: Span[]): Generator<Span> {
  for (const token of tokens) {
    yield token;
    if (Array.isArray(token[4])) yield* spans(token[4]);
  }
}

/** Why a template part cannot be used, or null when it can. */
export function templateProblem(part: Part, source: string): string | null {
  let tokens: Span[];
  try {
    tokens = Mustache.parse(source) as unknown as Span[];
  } catch (error) {
    return error instanceof Error ? error.message : 'not a valid template';
  }
  for (const token of spans(tokens)) {
    if (LOOKUPS.has(token[0]) && reachesBuiltIn(token[1])) return `"${token[1]}" is not a value templates can use`;
    if (!FORBIDDEN[part].has(token[0])) continue;
    return token[0] === '>'
      ? `partials ({{>${token[1]}}}) are not available`
      : `unescaped values ({{{${token[1]}}}} or {{&${token[1]}}}) are not allowed in HTML`;
  }
  return null;
}

const MONEY_KEYS = ['amount', 'currency'];
function isMoney(value: unknown): value is { amount: number; currency: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  const { amount, currency } = value as Record<string, unknown>;
  return (
    keys.length === 2 &&
    MONEY_KEYS.every((key) => keys.includes(key)) &&
    Number.isInteger(amount) &&
    typeof currency === 'string' &&
    /^[A-Z]{3}$/.test(currency)
  );
}

/** 2150 EUR in `de` → "21,50 €"; in `en` → "€21.50". */
export function formatAmount(amount: number, currency: string, locale: Locale): string {
  const major = formatMoney(amount, currency);
  const digits = major.includes('.') ? major.split('.')[1]!.length : 0;
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(Number(major));
}

/**
 * The data as templates see it: money formatted, and objects without a prototype, so a name
 * only ever finds the data's own values (Mustache calls any function it finds; JSON has none).
 */
function view(value: unknown, locale: Locale): unknown {
  if (isMoney(value)) return formatAmount(value.amount, value.currency, locale);
  if (Array.isArray(value)) return value.map((item) => view(item, locale));
  if (typeof value === 'object' && value !== null) {
    const seen = Object.create(null) as Record<string, unknown>;
    for (const [key, item] of Object.entries(value)) seen[key] = view(item, locale);
    return seen;
  }
  return value;
}

const plain = { escape: (value: unknown) => String(value) };

function layout(body: string, subject: string, locale: Locale): string {
  return `<!doctype html>
<html lang="${locale}">
<head><meta charset="utf-8"><title>${Mustache.escape(subject)}</title></head>
<body style="font-family: sans-serif; line-height: 1.5; color: #222">
${body}
</body>
</html>
`;
}

export function renderParts(parts: TemplateParts, data: Record<string, unknown>, locale: Locale): TemplateParts {
  const seen = view(data, locale) as Record<string, unknown>;
  const subject = Mustache.render(parts.subject, seen, {}, plain)
    .replace(/[\r\n]+/g, ' ')
    .trim();
  return {
    subject,
    text: Mustache.render(parts.text, seen, {}, plain),
    html: layout(Mustache.render(parts.html, seen, {}), subject, locale),
    sms: Mustache.render(parts.sms, seen, {}, plain).trim(),
  };
}
