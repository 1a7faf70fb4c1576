// Time (issue 13, Proof): dayparts are wall-clock windows in the store's zone, read at the
// fulfilment time. The boundary minutes (10:59 no, 11:00 yes, 13:59 yes, 14:00 no), the DST days
// of America/New_York in 2026 (8 March: 02:00 EST jumps to 03:00 EDT; 1 November: 02:00 EDT falls
// back to 01:00 EST), windows over the changed hours, overnight windows belonging to the day they
// start, and the flash sale's day turning at the store's midnight. Unit tests of platform/time/wall-clock.ts,
// eligibility.ts and the engine, then quotes through HTTP with the app's clock moved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/harness.js';
import { createPromotion, quote } from '../../test-support/marketing-factories.js';
import { margheritaLine, orderingStore } from '../../test-support/ordering-factories.js';
import { evaluatePromotions, type EvaluationInput } from './engine.js';
import { refusalOf } from './eligibility.js';
import { inDaypart, wallTimeAt } from '../../platform/time/wall-clock.js';
import type { Daypart, Promotion } from './model.js';

const NY = 'America/New_York';
const LUNCH: Daypart = { days: [1, 2, 3, 4, 5], from: '11:00', to: '14:00' };
const at = (iso: string) => new Date(iso);
const inLunch = (iso: string, daypart: Daypart = LUNCH) => inDaypart(wallTimeAt(at(iso), NY), daypart);

describe('wall time in the store’s zone', () => {
  it('when an instant is read in New York, then it has the local weekday and minute, on either side of both clock changes', () => {
    // Monday 7 December 2026, 10:59 EST.
    expect(wallTimeAt(at('2026-12-07T15:59:00Z'), NY)).toEqual({ weekday: 1, minute: 10 * 60 + 59 });
    // Sunday 8 March 2026: 01:59 EST, then the next minute is 03:00 EDT.
    expect(wallTimeAt(at('2026-03-08T06:59:00Z'), NY)).toEqual({ weekday: 7, minute: 60 + 59 });
    expect(wallTimeAt(at('2026-03-08T07:00:00Z'), NY)).toEqual({ weekday: 7, minute: 3 * 60 });
    // Sunday 1 November 2026: 01:30 happens twice (EDT, then EST).
    expect(wallTimeAt(at('2026-11-01T05:30:00Z'), NY)).toEqual({ weekday: 7, minute: 90 });
    expect(wallTimeAt(at('2026-11-01T06:30:00Z'), NY)).toEqual({ weekday: 7, minute: 90 });
    expect(wallTimeAt(at('2026-11-01T07:00:00Z'), NY)).toEqual({ weekday: 7, minute: 2 * 60 });
    // Just before local midnight on a Sunday, and just after: Monday.
    expect(wallTimeAt(at('2026-12-07T04:59:00Z'), NY)).toEqual({ weekday: 7, minute: 23 * 60 + 59 });
    expect(wallTimeAt(at('2026-12-07T05:00:00Z'), NY)).toEqual({ weekday: 1, minute: 0 });
  });
});

describe('a Mon–Fri 11:00–14:00 daypart at its boundary minutes', () => {
  it('when it is 10:59, 11:00, 13:59 and 14:00 local on a winter Monday, then only 11:00 and 13:59 are in it', () => {
    expect(inLunch('2026-12-07T15:59:00Z')).toBe(false);
    expect(inLunch('2026-12-07T16:00:00Z')).toBe(true);
    expect(inLunch('2026-12-07T18:59:00Z')).toBe(true);
    expect(inLunch('2026-12-07T19:00:00Z')).toBe(false);
  });

  it('when the clocks have gone forward (Monday 9 March, EDT), then the window starts at 11:00 EDT, an hour earlier in UTC than the Friday before', () => {
    // Friday 6 March, EST (UTC−5).
    expect(inLunch('2026-03-06T15:59:00Z')).toBe(false);
    expect(inLunch('2026-03-06T16:00:00Z')).toBe(true);
    expect(inLunch('2026-03-06T18:59:00Z')).toBe(true);
    expect(inLunch('2026-03-06T19:00:00Z')).toBe(false);
    // Monday 9 March, EDT (UTC−4).
    expect(inLunch('2026-03-09T14:59:00Z')).toBe(false);
    expect(inLunch('2026-03-09T15:00:00Z')).toBe(true);
    expect(inLunch('2026-03-09T17:59:00Z')).toBe(true);
    expect(inLunch('2026-03-09T18:00:00Z')).toBe(false);
  });

  it('when it is lunchtime on a Saturday or Sunday, then it is not in the window', () => {
    expect(inLunch('2026-12-05T17:00:00Z')).toBe(false);
    expect(inLunch('2026-12-06T17:00:00Z')).toBe(false);
  });
});

describe('a Sunday 01:00–03:00 daypart on the DST days', () => {
  const EARLY: Daypart = { days: [7], from: '01:00', to: '03:00' };

  it('when the clocks spring forward (8 March), then the window lasts one real hour: 01:00–01:59 EST, and 03:00 EDT is already past it', () => {
    expect(inLunch('2026-03-08T05:59:00Z', EARLY)).toBe(false); // 00:59 EST
    expect(inLunch('2026-03-08T06:00:00Z', EARLY)).toBe(true); // 01:00 EST
    expect(inLunch('2026-03-08T06:59:00Z', EARLY)).toBe(true); // 01:59 EST
    expect(inLunch('2026-03-08T07:00:00Z', EARLY)).toBe(false); // 03:00 EDT
  });

  it('when the clocks fall back (1 November), then the window lasts three real hours: 01:00 EDT through 02:59 EST, both 01:30s included', () => {
    expect(inLunch('2026-11-01T04:59:00Z', EARLY)).toBe(false); // 00:59 EDT
    expect(inLunch('2026-11-01T05:00:00Z', EARLY)).toBe(true); // 01:00 EDT
    expect(inLunch('2026-11-01T05:30:00Z', EARLY)).toBe(true); // 01:30 EDT
    expect(inLunch('2026-11-01T06:30:00Z', EARLY)).toBe(true); // 01:30 EST
    expect(inLunch('2026-11-01T07:59:00Z', EARLY)).toBe(true); // 02:59 EST
    expect(inLunch('2026-11-01T08:00:00Z', EARLY)).toBe(false); // 03:00 EST
  });
});

describe('an overnight daypart (22:00–02:00)', () => {
  const FRIDAY_NIGHT: Daypart = { days: [5], from: '22:00', to: '02:00' };

  it('when it is Friday night or the small hours of Saturday, then it is in the window; the small hours of Friday (Thursday’s night) and Saturday night are not', () => {
    // Friday 4 December 2026 (EST).
    expect(inLunch('2026-12-05T02:59:00Z', FRIDAY_NIGHT)).toBe(false); // Fri 21:59
    expect(inLunch('2026-12-05T03:00:00Z', FRIDAY_NIGHT)).toBe(true); // Fri 22:00
    expect(inLunch('2026-12-05T04:59:00Z', FRIDAY_NIGHT)).toBe(true); // Fri 23:59
    expect(inLunch('2026-12-05T05:00:00Z', FRIDAY_NIGHT)).toBe(true); // Sat 00:00
    expect(inLunch('2026-12-05T06:59:00Z', FRIDAY_NIGHT)).toBe(true); // Sat 01:59
    expect(inLunch('2026-12-05T07:00:00Z', FRIDAY_NIGHT)).toBe(false); // Sat 02:00
    expect(inLunch('2026-12-04T06:00:00Z', FRIDAY_NIGHT)).toBe(false); // Fri 01:00: Thursday's night
    expect(inLunch('2026-12-06T03:30:00Z', FRIDAY_NIGHT)).toBe(false); // Sat 22:30
  });

  it('when a Sunday-night window runs into Monday, then Monday’s small hours belong to Sunday', () => {
    const SUNDAY_NIGHT: Daypart = { days: [7], from: '22:00', to: '02:00' };
    expect(inLunch('2026-12-07T06:00:00Z', SUNDAY_NIGHT)).toBe(true); // Mon 01:00
    expect(inLunch('2026-12-08T06:00:00Z', SUNDAY_NIGHT)).toBe(false); // Tue 01:00
  });

  it('when the night of a clock change is crossed, then the window follows the wall clock: both 01:30s in November, and 01:59 EST but not 03:00 EDT in March', () => {
    const SATURDAY_NIGHT: Daypart = { days: [6], from: '22:00', to: '02:00' };
    expect(inLunch('2026-11-01T05:30:00Z', SATURDAY_NIGHT)).toBe(true); // Sun 01:30 EDT
    expect(inLunch('2026-11-01T06:30:00Z', SATURDAY_NIGHT)).toBe(true); // Sun 01:30 EST
    expect(inLunch('2026-11-01T07:00:00Z', SATURDAY_NIGHT)).toBe(false); // Sun 02:00 EST
    expect(inLunch('2026-03-08T03:00:00Z', SATURDAY_NIGHT)).toBe(true); // Sat 22:00 EST
    expect(inLunch('2026-03-08T06:59:00Z', SATURDAY_NIGHT)).toBe(true); // Sun 01:59 EST
    expect(inLunch('2026-03-08T07:00:00Z', SATURDAY_NIGHT)).toBe(false); // Sun 03:00 EDT
  });
});

// --- eligibility and the engine ------------------------------------------------------------------

function promotion(overrides: Partial<Promotion> = {}): Promotion {
  return {
    id: '01900000-0000-7000-8000-000000000001',
    organization_id: '01900000-0000-7000-8000-0000000000aa',
    name: 'Lunch deal',
    description: null,
    kind: 'automatic',
    advertised: true,
    active: true,
    priority: 0,
    combinable: false,
    starts_at: null,
    ends_at: null,
    conditions: { dayparts: [LUNCH] },
    effect: { type: 'order_percentage', percent_bps: 1000 },
    max_discount: null,
    usage_limit: null,
    budget: null,
    per_customer_limit: null,
    uses: 0,
    discount_spent: 0,
    version: 1,
    created_at: new Date('2026-01-01T00:00:00Z'),
    ...overrides,
  };
}

function basket(placedAt: string, fulfilmentAt: string = placedAt): EvaluationInput {
  return {
    at: at(placedAt),
    fulfilmentAt: at(fulfilmentAt),
    timezone: NY,
    storeId: '01900000-0000-7000-8000-0000000000bb',
    channel: 'pickup',
    currency: 'USD',
    customer: { id: null, anonymous: true, firstOrder: null },
    lines: [
      {
        line_no: 0,
        item_id: '01900000-0000-7000-8000-0000000000c1',
        variant_id: null,
        category_id: null,
        quantity: 1,
        unit_price: 1000,
        gross: 1000,
      },
    ],
    deliveryFee: 0,
    couponCode: null,
  };
}

const noStanding = (promotions: Promotion[]) => ({
  promotions,
  coupon: null,
  customerUses: new Map<string, number>(),
  poolLeft: new Map<string, number>(),
});

describe('eligibility reads dayparts at the fulfilment time', () => {
  it('when an order placed at 10:50 will be ready at 11:05, then the lunch deal applies; placed at 13:50 and ready at 14:05, it does not, saying when it does', () => {
    const lunch = promotion();
    expect(refusalOf(lunch, basket('2026-12-07T15:50:00Z', '2026-12-07T16:05:00Z'), { uses: 0 })).toBeNull();
    expect(refusalOf(lunch, basket('2026-12-07T18:50:00Z', '2026-12-07T19:05:00Z'), { uses: 0 })).toEqual({
      code: 'OUTSIDE_HOURS',
      reason: 'only Mondays, Tuesdays, Wednesdays, Thursdays, Fridays 11:00–14:00',
    });
  });

  it('when the engine prices a basket at the boundary minutes, then the discount is there at 11:00 and 13:59 only, and the loser is listed as OUTSIDE_HOURS', () => {
    const lunch = promotion();
    const cases: Array<[string, number]> = [
      ['2026-12-07T15:59:00Z', 0],
      ['2026-12-07T16:00:00Z', 100],
      ['2026-12-07T18:59:00Z', 100],
      ['2026-12-07T19:00:00Z', 0],
    ];
    for (const [instant, discount] of cases) {
      const evaluation = evaluatePromotions(basket(instant), noStanding([lunch]));
      expect(
        evaluation.orderDiscounts.reduce((sum, d) => sum + d.amount, 0),
        instant,
      ).toBe(discount);
      if (discount === 0) expect(evaluation.passedOver.map((p) => p.reason_code)).toEqual(['OUTSIDE_HOURS']);
    }
  });

  it('when a flash sale is priced around the store’s midnight, then its pool day (and per-customer period) is the store’s local date, on a DST night too', () => {
    const item = '01900000-0000-7000-8000-0000000000c1';
    const sale = promotion({
      conditions: {},
      effect: { type: 'flash_sale', item_id: item, percent_bps: 5000, units_per_day: 25, per_customer_per_day: 1 },
    });
    const dayOf = (instant: string) => evaluatePromotions(basket(instant), noStanding([sale])).applied[0]?.day;
    expect(dayOf('2026-12-07T04:59:00Z')).toBe('2026-12-06'); // 23:59 EST, Sunday
    expect(dayOf('2026-12-07T05:00:00Z')).toBe('2026-12-07'); // 00:00 EST, Monday
    expect(dayOf('2026-03-08T04:59:00Z')).toBe('2026-03-07'); // 23:59 EST before spring forward
    expect(dayOf('2026-03-08T05:00:00Z')).toBe('2026-03-08');
    expect(dayOf('2026-11-01T03:59:00Z')).toBe('2026-10-31'); // 23:59 EDT before fall back
    expect(dayOf('2026-11-01T04:00:00Z')).toBe('2026-11-01');
  });
});

// --- through HTTP, with the app's clock moved ----------------------------------------------------

let now = new Date('2026-12-07T13:00:00Z'); // Monday 08:00 in New York
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({}, { clock: () => now });
});
afterAll(async () => {
  await t?.close();
});

describe('quotes at a New York store', () => {
  it('when quotes are scheduled at 10:59, 11:00, 13:59 and 14:00 local, and asked for as soon as possible at 10:44 and 10:45 (ready 15 minutes later), then the lunch deal is in exactly those ready within its hours, on a winter day and after the spring clock change', async () => {
    const shop = await orderingStore(t, {}, { timezone: NY, currency: 'USD' });
    const lunch = await createPromotion(
      t,
      { organizationId: shop.organization.id, ownerToken: shop.ownerToken },
      {
        name: 'Lunch: 10% off',
        kind: 'automatic',
        conditions: { dayparts: [LUNCH] },
        effect: { type: 'order_percentage', percent_bps: 1000 },
      },
    );
    const applies = async (body: Record<string, unknown>) => {
      const q = await quote(t, shop.store.id, { channel: 'pickup', lines: [margheritaLine(shop.ids)], ...body });
      const applied = q.discounts.some((d) => d.promotion_id === lunch.id);
      if (!applied)
        expect(q.promotions_not_applied).toEqual([
          expect.objectContaining({ promotion_id: lunch.id, reason_code: 'OUTSIDE_HOURS' }),
        ]);
      return applied;
    };
    const scheduled = (iso: string) => applies({ scheduled_for: iso });

    now = new Date('2026-12-07T13:00:00Z');
    expect(await scheduled('2026-12-07T15:59:00Z')).toBe(false);
    expect(await scheduled('2026-12-07T16:00:00Z')).toBe(true);
    expect(await scheduled('2026-12-07T18:59:00Z')).toBe(true);
    expect(await scheduled('2026-12-07T19:00:00Z')).toBe(false);

    now = new Date('2026-12-07T15:44:00Z'); // 10:44: ready at 10:59
    expect(await applies({})).toBe(false);
    now = new Date('2026-12-07T15:45:00Z'); // 10:45: ready at 11:00
    expect(await applies({})).toBe(true);

    // Monday 9 March 2026, the first weekday in EDT: 11:00 local is 15:00Z.
    now = new Date('2026-03-09T12:00:00Z');
    expect(await scheduled('2026-03-09T14:59:00Z')).toBe(false);
    expect(await scheduled('2026-03-09T15:00:00Z')).toBe(true);
    expect(await scheduled('2026-03-09T17:59:00Z')).toBe(true);
    expect(await scheduled('2026-03-09T18:00:00Z')).toBe(false);
  });
});
