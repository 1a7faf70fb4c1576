// Kitchen slots and fulfilment times: pure functions, no I/O. Slots are cut from each open
// interval starting at its opening time (11:10, 11:25, … for a store opening at 11:10), never
// from midnight. An order's promised time is when it will be ready; the slot it falls in is the
// kitchen capacity it takes.
import type { OpenInterval } from '../tenancy/index.js';
import type { BasketProblem } from './basket-schema.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

export interface Slot {
  startsAt: number;
  /** The slot's end, cut at closing time. */
  endsAt: number;
}

export interface FulfilmentRules {
  prepMinutes: number;
  slotMinutes: number;
  asapMaxWaitMinutes: number;
  scheduleDaysAhead: number;
}

export type FulfilmentPlan =
  | {
      ok: true;
      /** Slots to try in order: the first with room is taken. */
      candidates: Slot[];
      /** The earliest the order can be ready: what its menu is checked at. */
      readyAt: number;
      scheduled: boolean;
    }
  | { ok: false; problem: BasketProblem };

/** The interval's slots that end after `from` and start no later than `until` (both optional). */
export function slotsOf(
  interval: OpenInterval,
  slotMinutes: number,
  range: { from?: number; until?: number } = {},
): Slot[] {
  const opens = interval.opensAt.getTime();
  const closes = interval.closesAt.getTime();
  const step = slotMinutes * MINUTE;
  const until = Math.min(range.until ?? Infinity, closes - 1);
  // A store open around the clock has one interval days long: start at the slot holding `from`.
  const first =
    range.from === undefined || range.from <= opens ? opens : opens + Math.floor((range.from - opens) / step) * step;
  const slots: Slot[] = [];
  for (let start = first; start <= until; start += step)
    slots.push({ startsAt: start, endsAt: Math.min(start + step, closes) });
  return slots;
}

/** When an order in this slot is promised: never before it could be ready. */
export function promisedAt(slot: Slot, readyAt: number): number {
  return Math.max(slot.startsAt, readyAt);
}

const hhmm = (instant: number, zone: string) =>
  new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: zone }).format(
    new Date(instant),
  );

/**
 * Where an order goes in the kitchen. ASAP: the store must be open now and the order ready by
 * closing (the last-order cut-off is closing minus prep time); candidates are the slots of the
 * current opening from the ready time on, up to `asapMaxWaitMinutes` later — never the next day.
 * Scheduled: the time must be at least the prep time away, within the scheduling horizon, and
 * inside opening hours no earlier than opening plus prep time; its slot is the only candidate.
 */
export function planFulfilment(input: {
  now: number;
  scheduledFor: number | null;
  intervals: OpenInterval[];
  rules: FulfilmentRules;
  timezone: string;
}): FulfilmentPlan {
  const { now, rules, intervals, timezone } = input;
  const prep = rules.prepMinutes * MINUTE;
  const fail = (code: string, message: string, path = ''): FulfilmentPlan => ({
    ok: false,
    problem: { code, path, message },
  });

  if (input.scheduledFor === null) {
    const current = intervals.find(
      (interval) => interval.opensAt.getTime() <= now && now < interval.closesAt.getTime(),
    );
    if (!current) {
      const next = intervals.find((interval) => interval.opensAt.getTime() > now);
      return fail(
        'STORE_CLOSED',
        next
          ? `The store is closed; it opens at ${next.opensAt.toISOString()}. Schedule the order for later.`
          : 'The store is closed.',
      );
    }
    const readyAt = now + prep;
    const closes = current.closesAt.getTime();
    if (readyAt > closes) {
      return fail(
        'LAST_ORDER_TIME_PASSED',
        `Last orders were at ${hhmm(closes - prep, timezone)} (closing at ${hhmm(closes, timezone)} minus ${rules.prepMinutes} minutes to prepare).`,
      );
    }
    const latestStart = readyAt + rules.asapMaxWaitMinutes * MINUTE;
    // Ready exactly at closing (ordered at the cut-off) belongs to the last slot, as a scheduled order would.
    const candidates = slotsOf(current, rules.slotMinutes, {
      from: Math.min(readyAt, closes - 1),
      until: latestStart,
    }).filter((slot) => slot.endsAt > readyAt || slot.endsAt === closes);
    return { ok: true, candidates, readyAt, scheduled: false };
  }

  const at = input.scheduledFor;
  if (at < now + prep)
    return fail(
      'SCHEDULED_TOO_SOON',
      `The kitchen needs ${rules.prepMinutes} minutes: schedule for ${new Date(now + prep).toISOString()} or later.`,
      '/scheduled_for',
    );
  if (at > now + rules.scheduleDaysAhead * DAY)
    return fail(
      'SCHEDULED_TOO_FAR',
      `Orders can be scheduled up to ${rules.scheduleDaysAhead} days ahead.`,
      '/scheduled_for',
    );
  const interval = intervals.find(
    (candidate) => candidate.opensAt.getTime() + prep <= at && at <= candidate.closesAt.getTime(),
  );
  if (!interval)
    return fail(
      'STORE_CLOSED',
      'The store is not open (or not yet ready to serve) at the scheduled time.',
      '/scheduled_for',
    );
  const slot = slotsOf(interval, rules.slotMinutes, {
    from: Math.min(at, interval.closesAt.getTime() - 1),
    until: at,
  }).find(
    (candidate) =>
      candidate.startsAt <= at && (at < candidate.endsAt || candidate.endsAt === interval.closesAt.getTime()),
  );
  return { ok: true, candidates: slot ? [slot] : [], readyAt: at, scheduled: true };
}
