// The organization's live automatic promotions, kept in the process for a moment: every quote
// and every placement evaluates them, and reading 50 rows per quote was most of what promotions
// cost a quote (bench/RESULTS.md). Staleness is bounded and safe: this process forgets an
// organization on its own writes (management, and holds or releases that move a counter); other
// processes see a change within TTL_MS. What placement holds is re-checked under lock (the
// promotion's version, active flag and counters, ledger.ts), so a stale entry can cost an order a
// 409, never a promotion it should not get. Windows are not filtered here (the engine checks them
// at the order's instant), so an entry is right for any moment.
import type { Promotion } from './model.js';

const TTL_MS = 2_000;
const MAX_ORGANIZATIONS = 10_000;

export interface LivePromotionCache {
  get(organizationId: string, load: () => Promise<Promotion[]>): Promise<Promotion[]>;
  forget(organizationId: string): void;
}

export function createLivePromotionCache(now: () => number = () => performance.now()): LivePromotionCache {
  const entries = new Map<string, { expires: number; promotions: Promise<Promotion[]> }>();
  return {
    get(organizationId, load) {
      const entry = entries.get(organizationId);
      if (entry && entry.expires > now()) return entry.promotions;
      if (entries.size >= MAX_ORGANIZATIONS) entries.clear();
      const promotions = load();
      entries.set(organizationId, { expires: now() + TTL_MS, promotions });
      // A failed read is not remembered: the next quote asks the database again.
      promotions.catch(() => {
        if (entries.get(organizationId)?.promotions === promotions) entries.delete(organizationId);
      });
      return promotions;
    },
    forget(organizationId) {
      entries.delete(organizationId);
    },
  };
}
