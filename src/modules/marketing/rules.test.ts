import { describe, expect, it } from 'vitest';
import { inDayparts } from './management.js';
import type { Effect, Rule } from './model.js';
import { draftProblems, referenceProblems, type PromotionDraft } from './rules.js';

const STORE = '01900000-0000-7000-8000-000000000001';
const ITEM = '01900000-0000-7000-8000-000000000002';
const CATEGORY = '01900000-0000-7000-8000-000000000003';

const draft = (overrides: Partial<PromotionDraft> = {}): PromotionDraft => ({
  kind: 'automatic',
  starts_at: null,
  ends_at: null,
  conditions: {},
  effect: { type: 'order_percentage', percent_bps: 1000 },
  ...overrides,
});

const codesOf = (d: PromotionDraft) => draftProblems(d).problems.map((p) => [p.code, p.path]);
const withRule = (rule: Rule) => draft({ conditions: { rules: [rule] } });

describe('rule compatibility', () => {
  it.each<[Rule, Array<[string, string]>]>([
    [{ attribute: 'subtotal', operator: 'gte', values: [2000] }, []],
    [{ attribute: 'subtotal', operator: 'lte', values: [2000] }, []],
    [
      { attribute: 'subtotal', operator: 'in', values: [2000] },
      [['RULE_OPERATOR_NOT_ALLOWED', '/body/conditions/rules/0/operator']],
    ],
    [
      { attribute: 'subtotal', operator: 'gte', values: [1, 2] },
      [['RULE_VALUE_INVALID', '/body/conditions/rules/0/values']],
    ],
    [
      { attribute: 'subtotal', operator: 'gte', values: ['20.00'] },
      [['RULE_VALUE_INVALID', '/body/conditions/rules/0/values/0']],
    ],
    [{ attribute: 'item_quantity', operator: 'gte', values: [2], target: { item_ids: [ITEM] } }, []],
    [
      { attribute: 'item_quantity', operator: 'gte', values: [0], target: { item_ids: [ITEM] } },
      [['RULE_VALUE_INVALID', '/body/conditions/rules/0/values/0']],
    ],
    [
      { attribute: 'item_quantity', operator: 'gte', values: [2] },
      [['RULE_TARGET_NOT_ALLOWED', '/body/conditions/rules/0/target']],
    ],
    [
      { attribute: 'item_quantity', operator: 'gte', values: [2], target: {} },
      [['EMPTY_TARGET', '/body/conditions/rules/0/target']],
    ],
    [{ attribute: 'channel', operator: 'not_in', values: ['delivery', 'dine_in'] }, []],
    [
      { attribute: 'channel', operator: 'includes_any', values: ['delivery'] },
      [['RULE_OPERATOR_NOT_ALLOWED', '/body/conditions/rules/0/operator']],
    ],
    [
      { attribute: 'channel', operator: 'in', values: ['pickup', 'kiosk'] },
      [['RULE_VALUE_INVALID', '/body/conditions/rules/0/values/1']],
    ],
    [{ attribute: 'store', operator: 'in', values: [STORE] }, []],
    [
      { attribute: 'store', operator: 'in', values: [7] },
      [['RULE_VALUE_INVALID', '/body/conditions/rules/0/values/0']],
    ],
    [{ attribute: 'item', operator: 'excludes', values: [ITEM] }, []],
    [{ attribute: 'category', operator: 'includes_any', values: [CATEGORY] }, []],
    [
      { attribute: 'category', operator: 'gte', values: [CATEGORY] },
      [['RULE_OPERATOR_NOT_ALLOWED', '/body/conditions/rules/0/operator']],
    ],
    [{ attribute: 'weekday', operator: 'in', values: [1, 7] }, []],
    [
      { attribute: 'weekday', operator: 'in', values: [0] },
      [['RULE_VALUE_INVALID', '/body/conditions/rules/0/values/0']],
    ],
    [
      { attribute: 'weekday', operator: 'not_in', values: [1], target: { item_ids: [ITEM] } },
      [
        ['RULE_OPERATOR_NOT_ALLOWED', '/body/conditions/rules/0/operator'],
        ['RULE_TARGET_NOT_ALLOWED', '/body/conditions/rules/0/target'],
      ],
    ],
  ])('when a rule is %j, then its problems are %j', (rule, expected) => {
    expect(codesOf(withRule(rule))).toEqual(expected);
  });

  it('when rules name stores, items and categories, then each id is a reference at its path', () => {
    const { references } = draftProblems(
      draft({
        conditions: {
          store_ids: [STORE],
          rules: [
            { attribute: 'store', operator: 'not_in', values: [STORE] },
            { attribute: 'item', operator: 'includes_any', values: [ITEM] },
            { attribute: 'category', operator: 'excludes', values: [CATEGORY] },
          ],
        },
        effect: { type: 'line_fixed', amount_per_unit: 100, target: { variant_ids: [ITEM] } },
      }),
    );
    expect(references).toEqual({
      stores: [
        { id: STORE, path: '/body/conditions/store_ids/0' },
        { id: STORE, path: '/body/conditions/rules/0/values/0' },
      ],
      items: [{ id: ITEM, path: '/body/conditions/rules/1/values/0' }],
      categories: [{ id: CATEGORY, path: '/body/conditions/rules/2/values/0' }],
      variants: [{ id: ITEM, path: '/body/effect/target/variant_ids/0' }],
    });
    const known = {
      stores: new Set([STORE]),
      items: new Set<string>(),
      categories: new Set([CATEGORY]),
      variants: new Set<string>(),
    };
    expect(referenceProblems(references, known).map((p) => [p.code, p.path])).toEqual([
      ['UNKNOWN_ITEM', '/body/conditions/rules/1/values/0'],
      ['UNKNOWN_VARIANT', '/body/effect/target/variant_ids/0'],
    ]);
  });
});

describe('effects and windows', () => {
  it.each<[Effect, Array<[string, string]>]>([
    [{ type: 'delivery_fee', percent_bps: 10000 }, []],
    [{ type: 'delivery_fee', amount: 300 }, []],
    [{ type: 'delivery_fee' }, [['EFFECT_ALTERNATIVES', '/body/effect']]],
    [{ type: 'delivery_fee', amount: 300, percent_bps: 100 }, [['EFFECT_ALTERNATIVES', '/body/effect']]],
    [{ type: 'flash_sale', item_id: ITEM, price: 450, units_per_day: 25, per_customer_per_day: 1 }, []],
    [
      { type: 'flash_sale', item_id: ITEM, price: 450, percent_bps: 5000, units_per_day: 25, per_customer_per_day: 1 },
      [['EFFECT_ALTERNATIVES', '/body/effect']],
    ],
    [
      { type: 'flash_sale', item_id: ITEM, percent_bps: 5000, units_per_day: 1, per_customer_per_day: 2 },
      [['FLASH_SALE_CAP_ABOVE_POOL', '/body/effect/per_customer_per_day']],
    ],
    [
      { type: 'combo', components: [{ target: { item_ids: [ITEM] }, quantity: 1 }], price: 990 },
      [['COMBO_TOO_FEW_COMPONENTS', '/body/effect/components']],
    ],
    [
      {
        type: 'combo',
        components: [
          { target: { item_ids: [ITEM] }, quantity: 1 },
          { target: { category_ids: [] }, quantity: 1 },
        ],
        price: 990,
      },
      [['EMPTY_TARGET', '/body/effect/components/1/target']],
    ],
    [
      {
        type: 'buy_x_get_y',
        buy: { target: {}, quantity: 2 },
        get: { target: { item_ids: [ITEM] }, quantity: 1 },
        percent_bps: 10000,
      },
      [['EMPTY_TARGET', '/body/effect/buy/target']],
    ],
  ])('when the effect is %j, then its problems are %j', (effect, expected) => {
    expect(codesOf(draft({ effect }))).toEqual(expected);
  });

  it('when a delivery-fee promotion is limited to channels without delivery, then it is CHANNEL_MISMATCH', () => {
    const effect: Effect = { type: 'delivery_fee', amount: 100 };
    expect(codesOf(draft({ effect, conditions: { channels: ['pickup'] } }))).toEqual([
      ['CHANNEL_MISMATCH', '/body/conditions/channels'],
    ]);
    expect(codesOf(draft({ effect, conditions: { channels: ['delivery'] } }))).toEqual([]);
  });

  it('when the window ends at or before it starts, then it is INVALID_WINDOW', () => {
    const at = new Date('2026-12-01T00:00:00Z');
    expect(codesOf(draft({ starts_at: at, ends_at: at }))).toEqual([['INVALID_WINDOW', '/body/ends_at']]);
    expect(codesOf(draft({ starts_at: at, ends_at: new Date(at.getTime() + 1000) }))).toEqual([]);
    expect(codesOf(draft({ starts_at: null, ends_at: at }))).toEqual([]);
  });

  it('when segments ask for first and returning orders at once, then it is SEGMENTS_CONFLICT', () => {
    expect(codesOf(draft({ conditions: { segments: ['first_order', 'returning'] } }))).toEqual([
      ['SEGMENTS_CONFLICT', '/body/conditions/segments'],
    ]);
    expect(codesOf(draft({ conditions: { segments: ['first_order'] } }))).toEqual([]);
  });

  it('when a daypart repeats a day, then it is DAYPART_INVALID', () => {
    expect(codesOf(draft({ conditions: { dayparts: [{ days: [2, 2], from: '11:00', to: '14:00' }] } }))).toEqual([
      ['DAYPART_INVALID', '/body/conditions/dayparts/0/days'],
    ]);
  });
});

describe('dayparts on the store’s clock', () => {
  const lunch = [{ days: [1], from: '11:00', to: '14:00' }];
  it('when the moment is the first or the last minute of a lunch daypart in Berlin, then it is in; at its end, out', () => {
    // 2026-12-07 is a Monday; Berlin is UTC+1 in December.
    expect(inDayparts(lunch, 'Europe/Berlin', new Date('2026-12-07T09:59:59Z'))).toBe(false);
    expect(inDayparts(lunch, 'Europe/Berlin', new Date('2026-12-07T10:00:00Z'))).toBe(true);
    expect(inDayparts(lunch, 'Europe/Berlin', new Date('2026-12-07T12:59:59Z'))).toBe(true);
    expect(inDayparts(lunch, 'Europe/Berlin', new Date('2026-12-07T13:00:00Z'))).toBe(false);
    // Same instant, another zone: 10:00 UTC is 05:00 in New York.
    expect(inDayparts(lunch, 'America/New_York', new Date('2026-12-07T10:00:00Z'))).toBe(false);
  });

  it('when a daypart runs past midnight, then its early hours belong to the day it started on', () => {
    const lateFriday = [{ days: [5], from: '22:00', to: '02:00' }];
    // Friday 2026-12-11 23:30 and Saturday 01:30 Berlin are in; Saturday 22:30 is not.
    expect(inDayparts(lateFriday, 'Europe/Berlin', new Date('2026-12-11T22:30:00Z'))).toBe(true);
    expect(inDayparts(lateFriday, 'Europe/Berlin', new Date('2026-12-12T00:30:00Z'))).toBe(true);
    expect(inDayparts(lateFriday, 'Europe/Berlin', new Date('2026-12-12T01:00:00Z'))).toBe(false);
    expect(inDayparts(lateFriday, 'Europe/Berlin', new Date('2026-12-12T21:30:00Z'))).toBe(false);
    expect(inDayparts([{ days: [1], from: '18:00', to: '24:00' }], 'Etc/GMT', new Date('2026-12-07T23:59:00Z'))).toBe(
      true,
    );
  });

  it('when clocks change (Berlin, last Sunday of March), then a morning daypart follows the wall clock', () => {
    const sundayMorning = [{ days: [7], from: '09:00', to: '10:00' }];
    // 2027-03-28: CET → CEST at 02:00; 09:00 local is 07:00 UTC that day, 08:00 UTC the Sunday before.
    expect(inDayparts(sundayMorning, 'Europe/Berlin', new Date('2027-03-28T07:00:00Z'))).toBe(true);
    expect(inDayparts(sundayMorning, 'Europe/Berlin', new Date('2027-03-28T06:59:00Z'))).toBe(false);
    expect(inDayparts(sundayMorning, 'Europe/Berlin', new Date('2027-03-21T08:00:00Z'))).toBe(true);
    expect(inDayparts(sundayMorning, 'Europe/Berlin', new Date('2027-03-21T07:59:00Z'))).toBe(false);
  });

  it('when a promotion has no dayparts, then every moment is in', () => {
    expect(inDayparts(undefined, 'Europe/Berlin', new Date())).toBe(true);
    expect(inDayparts([], 'Europe/Berlin', new Date())).toBe(true);
  });
});
