// The resolver's seam for what other modules add to a menu: promotions (a displayed price),
// loyalty rewards, ingredient 86'ing (an item or option not orderable now). A contributor is a
// small reader another module owns; catalog only knows this interface, so imports run one way
// (the contributing module depends on catalog's index.ts, never the reverse). The list is empty
// by default and runs in order on every cold build of a menu, inside the build's read-only
// snapshot; what it says is cached with the menu, so its owner calls catalog's `invalidate`
// after each of its own writes commits (as catalog's writes do).
import type { Tx } from '../../platform/db/index.js';
import type { PriceChannel } from './resolved-menu.js';

/** Where and when a menu is being resolved. */
export interface MenuMoment {
  organizationId: string;
  storeId: string;
  /** IANA zone of the store: local hours (a happy hour) are read in it. */
  timezone: string;
  channel: PriceChannel;
  at: Date;
}

/** A priced thing of the menu, with what a price rule may key on. */
export type PricedThing =
  | { kind: 'item'; id: string; categoryId: string }
  | { kind: 'variant'; id: string; itemId: string; categoryId: string }
  | { kind: 'option'; id: string; groupId: string };

/** How one contributor changes the menu at one moment. Every part is optional. */
export interface MenuAdjustment {
  /** Items not orderable now: left out like an 86'd item (an emptied category goes too). */
  unavailableItems?: ReadonlySet<string>;
  /** Modifier options not orderable now: left out like an 86'd option. */
  unavailableOptions?: ReadonlySet<string>;
  /**
   * The displayed (and charged) price of a thing, in minor units, given its price so far: the
   * store and channel price, then earlier contributors' adjustments. Return `amount` to keep it.
   */
  price?(thing: PricedThing, amount: number): number;
  /**
   * Epoch ms: the adjustment holds for instants in [from, until) only (a promotion that ends at
   * 17:00). The resolved menu is cached no longer than that.
   */
  from?: number;
  until?: number;
}

export interface MenuContributor {
  /** Who contributes, e.g. "marketing.promotions" (for logs and errors). */
  readonly name: string;
  /** Reads what it needs through `trx` (the build's snapshot) and says how the menu changes. */
  adjust(moment: MenuMoment, trx: Tx): Promise<MenuAdjustment>;
}

/** The adjustments of every contributor, folded into one: what assembly applies. */
export interface CombinedAdjustment {
  unavailableItems: ReadonlySet<string>;
  unavailableOptions: ReadonlySet<string>;
  price(thing: PricedThing, amount: number): number;
  from: number;
  until: number;
}

export const NO_ADJUSTMENT: CombinedAdjustment = {
  unavailableItems: new Set(),
  unavailableOptions: new Set(),
  price: (_thing, amount) => amount,
  from: -Infinity,
  until: Infinity,
};

/** Asks each contributor in order; prices compose in that order. */
export async function collectAdjustments(
  contributors: readonly MenuContributor[],
  moment: MenuMoment,
  trx: Tx,
): Promise<CombinedAdjustment> {
  if (contributors.length === 0) return NO_ADJUSTMENT;
  const adjustments: MenuAdjustment[] = [];
  for (const contributor of contributors) adjustments.push(await contributor.adjust(moment, trx));
  const union = (pick: (adjustment: MenuAdjustment) => ReadonlySet<string> | undefined) =>
    new Set(adjustments.flatMap((adjustment) => [...(pick(adjustment) ?? [])]));
  const pricers = adjustments.flatMap((adjustment, n) =>
    adjustment.price ? [{ name: contributors[n]!.name, price: adjustment.price }] : [],
  );
  return {
    unavailableItems: union((adjustment) => adjustment.unavailableItems),
    unavailableOptions: union((adjustment) => adjustment.unavailableOptions),
    price: (thing, amount) =>
      pricers.reduce((price, pricer) => {
        const next = pricer.price(thing, price);
        // A wrong price would be charged: fail the build loudly rather than serve it.
        if (!Number.isInteger(next) || next < 0)
          throw new Error(`menu contributor ${pricer.name} priced ${thing.kind} ${thing.id} at ${next}`);
        return next;
      }, amount),
    from: Math.max(...adjustments.map((adjustment) => adjustment.from ?? -Infinity)),
    until: Math.min(...adjustments.map((adjustment) => adjustment.until ?? Infinity)),
  };
}
