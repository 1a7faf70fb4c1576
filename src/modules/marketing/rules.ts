// What a promotion must be beyond its JSON schema, checked on every write (create and the merged
// result of a patch): a rule's operator and values fit its attribute, dayparts are real windows,
// an effect names exactly one of its alternatives, and every store, item, category and variant id
// it names is the organization's. Every problem is reported at once, each with its own stable
// code and a JSON pointer into the request; the write is then refused 422 INVALID_PROMOTION.
//
// Documented, not checked: `segments` and `per_customer_limit` only ever match a signed-in
// customer (a guest's order never gets such a promotion).
import { UnprocessableError, type FieldError } from '../../platform/http/errors.js';
import type { Channel, Conditions, Effect, LineTarget, Rule } from './model.js';

export interface PromotionDraft {
  kind: 'automatic' | 'code';
  starts_at: Date | null;
  ends_at: Date | null;
  conditions: Conditions;
  effect: Effect;
}

/** Stable codes of the problems (FieldError.code), documented in the OpenAPI description. */
export const RULE_PROBLEMS = {
  INVALID_WINDOW: 'starts_at must be before ends_at',
  RULE_OPERATOR_NOT_ALLOWED: 'the operator does not fit the attribute',
  RULE_VALUE_INVALID: 'a value does not fit the attribute',
  RULE_TARGET_NOT_ALLOWED: 'only item_quantity takes a target, and it needs one',
  DAYPART_INVALID: 'a daypart repeats a day',
  SEGMENTS_CONFLICT: 'first_order and returning together match no customer',
  EMPTY_TARGET: 'a target names no item, category or variant',
  EFFECT_ALTERNATIVES: 'exactly one of two fields must be given',
  COMBO_TOO_FEW_COMPONENTS: 'a combo needs at least two components',
  FLASH_SALE_CAP_ABOVE_POOL: 'per_customer_per_day exceeds units_per_day',
  CHANNEL_MISMATCH: 'a delivery-fee effect on a promotion excluding delivery',
  UNKNOWN_STORE: 'not a store of the organization',
  UNKNOWN_ITEM: 'not an item of the organization',
  UNKNOWN_CATEGORY: 'not a category of the organization',
  UNKNOWN_VARIANT: 'not a variant of the organization',
} as const;
export type RuleProblem = keyof typeof RULE_PROBLEMS;

const problem = (code: RuleProblem, path: string, message: string): FieldError => ({ code, path, message });

const CHANNELS: readonly Channel[] = ['pickup', 'delivery', 'dine_in'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type ValueKind = 'amount' | 'units' | 'channel' | 'store' | 'item' | 'category' | 'weekday';
/** The operators each attribute allows, what its values are, and how many it takes (null: any). */
const ATTRIBUTES: Record<
  Rule['attribute'],
  { operators: readonly Rule['operator'][]; values: ValueKind; one: boolean }
> = {
  subtotal: { operators: ['gte', 'lte'], values: 'amount', one: true },
  item_quantity: { operators: ['gte'], values: 'units', one: true },
  channel: { operators: ['in', 'not_in'], values: 'channel', one: false },
  store: { operators: ['in', 'not_in'], values: 'store', one: false },
  item: { operators: ['includes_any', 'excludes'], values: 'item', one: false },
  category: { operators: ['includes_any', 'excludes'], values: 'category', one: false },
  weekday: { operators: ['in'], values: 'weekday', one: false },
};

function valueFits(kind: ValueKind, value: string | number): boolean {
  switch (kind) {
    case 'amount':
      return typeof value === 'number' && Number.isInteger(value) && value >= 0;
    case 'units':
      return typeof value === 'number' && Number.isInteger(value) && value >= 1;
    case 'weekday':
      return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 7;
    case 'channel':
      return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
    case 'store':
    case 'item':
    case 'category':
      return typeof value === 'string' && UUID.test(value);
  }
}

const VALUE_TEXT: Record<ValueKind, string> = {
  amount: 'must be an amount in minor units (an integer >= 0)',
  units: 'must be a number of units (an integer >= 1)',
  weekday: 'must be an ISO weekday (1 = Monday .. 7)',
  channel: 'must be pickup, delivery or dine_in',
  store: 'must be a store id',
  item: 'must be an item id',
  category: 'must be a category id',
};

/** Ids the promotion names, each with where it was named, for the organization check. */
export interface References {
  stores: Array<{ id: string; path: string }>;
  items: Array<{ id: string; path: string }>;
  categories: Array<{ id: string; path: string }>;
  variants: Array<{ id: string; path: string }>;
}

function targetProblems(target: LineTarget, path: string, refs: References): FieldError[] {
  const lists = [target.item_ids, target.category_ids, target.variant_ids];
  const out: FieldError[] = [];
  if (lists.every((list) => list === undefined || list.length === 0))
    out.push(problem('EMPTY_TARGET', path, 'must name at least one item, category or variant'));
  target.item_ids?.forEach((id, i) => refs.items.push({ id, path: `${path}/item_ids/${i}` }));
  target.category_ids?.forEach((id, i) => refs.categories.push({ id, path: `${path}/category_ids/${i}` }));
  target.variant_ids?.forEach((id, i) => refs.variants.push({ id, path: `${path}/variant_ids/${i}` }));
  return out;
}

function ruleProblems(rule: Rule, path: string, refs: References): FieldError[] {
  const spec = ATTRIBUTES[rule.attribute];
  const out: FieldError[] = [];
  if (!spec.operators.includes(rule.operator))
    out.push(
      problem(
        'RULE_OPERATOR_NOT_ALLOWED',
        `${path}/operator`,
        `${rule.attribute} takes ${spec.operators.join(' or ')}, not ${rule.operator}`,
      ),
    );
  if (spec.one && rule.values.length !== 1)
    out.push(problem('RULE_VALUE_INVALID', `${path}/values`, `${rule.attribute} takes exactly one value`));
  rule.values.forEach((value, i) => {
    const at = `${path}/values/${i}`;
    if (!valueFits(spec.values, value)) {
      out.push(problem('RULE_VALUE_INVALID', at, VALUE_TEXT[spec.values]));
      return;
    }
    if (typeof value !== 'string') return;
    if (spec.values === 'store') refs.stores.push({ id: value, path: at });
    if (spec.values === 'item') refs.items.push({ id: value, path: at });
    if (spec.values === 'category') refs.categories.push({ id: value, path: at });
  });
  if (rule.attribute === 'item_quantity') {
    if (rule.target === undefined)
      out.push(problem('RULE_TARGET_NOT_ALLOWED', `${path}/target`, 'item_quantity needs a target: which lines count'));
    else out.push(...targetProblems(rule.target, `${path}/target`, refs));
  } else if (rule.target !== undefined) {
    out.push(problem('RULE_TARGET_NOT_ALLOWED', `${path}/target`, `${rule.attribute} takes no target`));
  }
  return out;
}

function conditionProblems(conditions: Conditions, refs: References): FieldError[] {
  const base = '/body/conditions';
  const out: FieldError[] = [];
  conditions.store_ids?.forEach((id, i) => refs.stores.push({ id, path: `${base}/store_ids/${i}` }));
  conditions.dayparts?.forEach((daypart, i) => {
    if (new Set(daypart.days).size !== daypart.days.length)
      out.push(problem('DAYPART_INVALID', `${base}/dayparts/${i}/days`, 'must not repeat a day'));
  });
  const segments = conditions.segments ?? [];
  if (segments.includes('first_order') && segments.includes('returning'))
    out.push(problem('SEGMENTS_CONFLICT', `${base}/segments`, 'first_order and returning together match no customer'));
  conditions.rules?.forEach((rule, i) => out.push(...ruleProblems(rule, `${base}/rules/${i}`, refs)));
  return out;
}

const exactlyOne = (a: unknown, b: unknown) => (a === undefined) !== (b === undefined);

function effectProblems(effect: Effect, conditions: Conditions, refs: References): FieldError[] {
  const base = '/body/effect';
  const out: FieldError[] = [];
  switch (effect.type) {
    case 'line_percentage':
    case 'line_fixed':
    case 'fixed_price':
      out.push(...targetProblems(effect.target, `${base}/target`, refs));
      break;
    case 'buy_x_get_y':
      out.push(...targetProblems(effect.buy.target, `${base}/buy/target`, refs));
      out.push(...targetProblems(effect.get.target, `${base}/get/target`, refs));
      break;
    case 'combo':
      if (effect.components.length < 2)
        out.push(problem('COMBO_TOO_FEW_COMPONENTS', `${base}/components`, 'a combo needs at least two components'));
      effect.components.forEach((component, i) =>
        out.push(...targetProblems(component.target, `${base}/components/${i}/target`, refs)),
      );
      break;
    case 'delivery_fee':
      if (!exactlyOne(effect.percent_bps, effect.amount))
        out.push(problem('EFFECT_ALTERNATIVES', base, 'give exactly one of percent_bps and amount'));
      if (conditions.channels !== undefined && !conditions.channels.includes('delivery'))
        out.push(
          problem('CHANNEL_MISMATCH', '/body/conditions/channels', 'a delivery-fee promotion must allow delivery'),
        );
      break;
    case 'flash_sale':
      if (!exactlyOne(effect.percent_bps, effect.price))
        out.push(problem('EFFECT_ALTERNATIVES', base, 'give exactly one of percent_bps and price'));
      if (effect.per_customer_per_day > effect.units_per_day)
        out.push(problem('FLASH_SALE_CAP_ABOVE_POOL', `${base}/per_customer_per_day`, 'must not exceed units_per_day'));
      refs.items.push({ id: effect.item_id, path: `${base}/item_id` });
      break;
    case 'order_percentage':
    case 'order_fixed':
      break;
  }
  return out;
}

/** Every problem the draft has on its own (no database), and the ids it names. */
export function draftProblems(draft: PromotionDraft): { problems: FieldError[]; references: References } {
  const references: References = { stores: [], items: [], categories: [], variants: [] };
  const problems: FieldError[] = [];
  if (draft.starts_at !== null && draft.ends_at !== null && draft.starts_at.getTime() >= draft.ends_at.getTime())
    problems.push(problem('INVALID_WINDOW', '/body/ends_at', 'must be after starts_at'));
  problems.push(...conditionProblems(draft.conditions, references));
  problems.push(...effectProblems(draft.effect, draft.conditions, references));
  return { problems, references };
}

/** What the organization holds of the ids a draft names. */
export interface KnownIds {
  stores: Set<string>;
  items: Set<string>;
  categories: Set<string>;
  variants: Set<string>;
}

export function referenceProblems(references: References, known: KnownIds): FieldError[] {
  const unknown = (
    list: Array<{ id: string; path: string }>,
    set: Set<string>,
    code: RuleProblem,
    what: string,
  ): FieldError[] =>
    list.filter((ref) => !set.has(ref.id)).map((ref) => problem(code, ref.path, `is not ${what} of the organization`));
  return [
    ...unknown(references.stores, known.stores, 'UNKNOWN_STORE', 'a store'),
    ...unknown(references.items, known.items, 'UNKNOWN_ITEM', 'an item'),
    ...unknown(references.categories, known.categories, 'UNKNOWN_CATEGORY', 'a category'),
    ...unknown(references.variants, known.variants, 'UNKNOWN_VARIANT', 'a variant'),
  ];
}

/** Looks up what the organization holds of the ids the draft names (stores from tenancy, the rest from catalog). */
export type LookupIds = (organizationId: string, references: References) => Promise<KnownIds>;

export function invalidPromotion(problems: FieldError[]): UnprocessableError {
  return new UnprocessableError(
    'INVALID_PROMOTION',
    `The promotion has ${problems.length} problem${problems.length === 1 ? '' : 's'}; each is listed in errors with its own code.`,
    problems,
  );
}

/** Throws 422 INVALID_PROMOTION listing every problem of the draft, or returns when it is sound. */
export async function checkPromotion(organizationId: string, draft: PromotionDraft, lookup: LookupIds): Promise<void> {
  const { problems, references } = draftProblems(draft);
  const known = await lookup(organizationId, references);
  problems.push(...referenceProblems(references, known));
  if (problems.length > 0) throw invalidPromotion(problems);
}
