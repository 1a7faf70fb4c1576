// Lot consumption as a property (ADR 0029): whatever the lots, a debit never takes more than it
// asked, more than a lot has, pending points it may not take, or spendable points past its limit;
// and it takes the preferred lot, then the oldest, first.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocated, consumeLots, fifo, type OpenLot } from './lots.js';

const lotArb = fc.record({
  entry_id: fc.uuid(),
  remaining: fc.integer({ min: 0, max: 500 }),
  vested: fc.boolean(),
  created_at: fc.date({ min: new Date('2025-01-01'), max: new Date('2027-01-01'), noInvalidDate: true }),
  order_id: fc.constant(null),
});

describe('consumeLots', () => {
  it('when any debit runs over any lots, then it stays within what it asked, each lot, the pending rule and the spendable limit, oldest first', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(lotArb, { selector: (lot) => lot.entry_id, maxLength: 12 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.boolean(),
        (lots: OpenLot[], amount, vestedLimit, includePending) => {
          const allocations = consumeLots(lots, amount, { vestedLimit, includePending });
          const byId = new Map(lots.map((lot) => [lot.entry_id, lot]));
          expect(allocated(allocations)).toBeLessThanOrEqual(amount);
          let vested = 0;
          for (const a of allocations) {
            const lot = byId.get(a.lot_id)!;
            expect(a.points).toBeGreaterThan(0);
            expect(a.points).toBeLessThanOrEqual(lot.remaining);
            if (!lot.vested) expect(includePending).toBe(true);
            else vested += a.points;
          }
          expect(vested).toBeLessThanOrEqual(vestedLimit);
          // Taken in FIFO order, and every skipped older lot could not give more.
          const order = fifo(lots).map((lot) => lot.entry_id);
          const positions = allocations.map((a) => order.indexOf(a.lot_id));
          expect([...positions].sort((x, y) => x - y)).toEqual(positions);
          // Nothing more could have been taken: the total is the most the rules allow.
          const vestedAll = lots.filter((l) => l.vested).reduce((s, l) => s + l.remaining, 0);
          const pendingAll = lots.filter((l) => !l.vested).reduce((s, l) => s + l.remaining, 0);
          const most = Math.min(amount, Math.min(vestedAll, vestedLimit) + (includePending ? pendingAll : 0));
          expect(allocated(allocations)).toBe(most);
        },
      ),
    );
  });

  it('when a preferred lot is named, then it goes first', () => {
    const lots: OpenLot[] = [
      { entry_id: 'a', remaining: 10, vested: true, created_at: new Date('2025-01-01'), order_id: null },
      { entry_id: 'b', remaining: 10, vested: true, created_at: new Date('2025-02-01'), order_id: 'o' },
    ];
    expect(consumeLots(lots, 15, { vestedLimit: 15, includePending: false, preferLot: 'b' })).toEqual([
      { lot_id: 'b', points: 10, vested: true },
      { lot_id: 'a', points: 5, vested: true },
    ]);
  });
});
