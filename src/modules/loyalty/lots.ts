// Which lots a debit consumes, as a pure function: the preferred lot first (a claw-back takes
// back the order's own points before any other), then the oldest. Points in their lock period
// (pending) are taken only when the debit allows it; spendable points only up to a limit, so that
// what rewards on open orders hold is never taken from under them.

export interface OpenLot {
  entry_id: string;
  remaining: number;
  vested: boolean;
  created_at: Date;
  order_id: string | null;
}

export interface Allocation {
  lot_id: string;
  points: number;
  vested: boolean;
}

export interface ConsumeRules {
  /** Spendable points this debit may take (what is not held). */
  vestedLimit: number;
  /** Whether points still in their lock period may be taken. */
  includePending: boolean;
  /** A lot to take from first. */
  preferLot?: string | null;
}

/** Oldest first (the ADR's order): by when the lot was credited, then by id (UUIDv7, so time order). */
export function fifo<T extends OpenLot>(lots: readonly T[]): T[] {
  return [...lots].sort(
    (a, b) => a.created_at.getTime() - b.created_at.getTime() || (a.entry_id < b.entry_id ? -1 : 1),
  );
}

export function consumeLots(lots: readonly OpenLot[], amount: number, rules: ConsumeRules): Allocation[] {
  const ordered = fifo(lots);
  const preferred = ordered.findIndex((lot) => lot.entry_id === rules.preferLot);
  if (preferred > 0) ordered.unshift(...ordered.splice(preferred, 1));
  const allocations: Allocation[] = [];
  let left = amount;
  let vestedLeft = Math.max(0, rules.vestedLimit);
  for (const lot of ordered) {
    if (left === 0) break;
    if (lot.remaining <= 0) continue;
    if (!lot.vested && !rules.includePending) continue;
    const cap = lot.vested ? Math.min(lot.remaining, vestedLeft) : lot.remaining;
    const points = Math.min(cap, left);
    if (points <= 0) continue;
    allocations.push({ lot_id: lot.entry_id, points, vested: lot.vested });
    left -= points;
    if (lot.vested) vestedLeft -= points;
  }
  return allocations;
}

export const allocated = (allocations: readonly Allocation[]): number =>
  allocations.reduce((sum, a) => sum + a.points, 0);
