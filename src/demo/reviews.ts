// The demo brand's reviews (issue 18): three demo guests who ate at both stores in the last few
// days and reviewed it, and at Berlin a thread three levels deep with the store's answers. The
// guests are not the demo customer, whose first order must stay a first order (WELCOME10).
// Their orders are written through ordering's seed path (completed dine-in cash orders in the
// past, since real placement depends on the hour the seed runs), their cash is taken through
// payments, so `brigade check` holds; the reviews and replies go through the reviews service, so
// the rating summary and the thread positions are the ones a guest's requests would have made.
import type { Principal } from '../platform/auth/principal.js';
import type { Tx } from '../platform/db/index.js';
import type { Modules } from '../modules.js';
import { DEMO_CATEGORIES, DEMO_GROUPS, DEMO_TAXES } from './menu-data.js';

/** Sign in with the demo password; reset deletes them with the other demo accounts. */
export const DEMO_GUESTS = {
  gia: { email: 'guest1@demo.brigade.test', name: 'Gia Guest' },
  hugo: { email: 'guest2@demo.brigade.test', name: 'Hugo Guest' },
  ines: { email: 'guest3@demo.brigade.test', name: 'Ines Guest' },
} as const;
type Guest = keyof typeof DEMO_GUESTS;
type StoreKey = 'berlin' | 'brooklyn';

type CatalogIds = Awaited<ReturnType<Modules['catalog']['api']['idsByRef']>>;

export interface DemoReviewsInput {
  organizationId: string;
  password: string;
  owner: { id: string };
  staff: { id: string; storeId: string };
  stores: Record<StoreKey, { id: string; timezone: string; currency: string; tableId: string }>;
  ids: CatalogIds;
}

/** What a guest ate: an item ref, its size (index into its sizes) and picks (group/option refs). */
interface Dish {
  item: string;
  size?: number;
  picks?: string[];
  quantity?: number;
}

// No pizza with a drink (the "Pizza + drink" combo would apply) and no Tiramisù in Brooklyn (its
// flash sale): these orders are priced without promotions, as orders without any.
const VISITS: Array<{
  guest: Guest;
  store: StoreKey;
  daysAgo: number;
  dishes: Dish[];
  review: { rating: number; food_rating?: number; comment: string };
}> = [
  {
    guest: 'ines',
    store: 'berlin',
    daysAgo: 6,
    dishes: [{ item: 'funghi', size: 1, picks: ['base/base-wholegrain'] }],
    review: { rating: 3, food_rating: 4, comment: 'Good pizza, but the music was too loud to talk.' },
  },
  {
    guest: 'hugo',
    store: 'brooklyn',
    daysAgo: 5,
    dishes: [{ item: 'lasagna' }, { item: 'garlic-bread' }],
    review: { rating: 4, comment: 'Huge lasagna, and the garlic bread is worth the trip alone.' },
  },
  {
    guest: 'hugo',
    store: 'berlin',
    daysAgo: 4,
    dishes: [{ item: 'carbonara' }, { item: 'tiramisu' }],
    review: { rating: 4, food_rating: 5, comment: 'Carbonara done right, no cream. A bit of a wait on a Friday.' },
  },
  {
    guest: 'ines',
    store: 'brooklyn',
    daysAgo: 3,
    dishes: [{ item: 'marinara', size: 0, picks: ['base/base-classic'] }, { item: 'caesar' }],
    review: { rating: 2, comment: 'The crust was burnt at the edges this time.' },
  },
  {
    guest: 'gia',
    store: 'brooklyn',
    daysAgo: 2,
    dishes: [{ item: 'diavola', size: 0, picks: ['base/base-classic'] }, { item: 'fries' }],
    review: { rating: 5, comment: 'Three in the morning and the Diavola is still perfect.' },
  },
  {
    guest: 'gia',
    store: 'berlin',
    daysAgo: 1,
    dishes: [{ item: 'margherita', size: 1, picks: ['base/base-classic'], quantity: 2 }, { item: 'caprese' }],
    review: {
      rating: 5,
      food_rating: 5,
      comment: 'Best Margherita this side of Naples: light, blistered crust, fresh basil.',
    },
  },
];

const items = new Map(DEMO_CATEGORIES.flatMap((category) => category.items.map((item) => [item.ref, item])));
const options = new Map(
  DEMO_GROUPS.flatMap((group) => group.options.map((option) => [`${group.ref}/${option.ref}`, { group, option }])),
);

/** A dish as the demo catalog prices it at a store. */
function lineOf(dish: Dish, store: StoreKey, ids: CatalogIds) {
  const item = items.get(dish.item)!;
  const size = dish.size === undefined ? undefined : item.sizes![dish.size]!;
  return {
    item_id: ids.items[item.ref]!,
    variant_id: size === undefined ? null : ids.variants[`${item.ref}/${item.ref}-${dish.size! + 1}`]!,
    name: size === undefined ? item.name : `${item.name} (${size.name})`,
    quantity: dish.quantity ?? 1,
    unit_price: size?.price ?? item.price,
    tax_rate_bps: DEMO_TAXES[store][item.tax ?? 'food'],
    modifiers: (dish.picks ?? []).map((ref) => {
      const { group, option } = options.get(ref)!;
      return {
        option_id: ids.options[ref]!,
        group_id: ids.modifier_groups[group.ref]!,
        name: option.name,
        unit_price: option.price,
        quantity: 1,
      };
    }),
  };
}

/** Dinner time at both stores, `daysAgo` days back: 17:30 UTC is 18:30–19:30 in Berlin, lunch in Brooklyn. */
function dinnerOf(daysAgo: number, now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - daysAgo, 17, 30));
}

const userPrincipal = (userId: string, grants: Extract<Principal, { kind: 'user' }>['grants'] = []): Principal => ({
  kind: 'user',
  userId,
  platformAdmin: false,
  grants,
});

export async function seedDemoReviews(trx: Tx, modules: Modules, input: DemoReviewsInput): Promise<void> {
  const { identity, ordering, payments, reviews } = modules;
  const guests = {} as Record<Guest, Principal>;
  for (const [key, guest] of Object.entries(DEMO_GUESTS) as Array<[Guest, (typeof DEMO_GUESTS)[Guest]]>) {
    const user = await identity.api.createUser(trx, {
      email: guest.email,
      password: input.password,
      name: guest.name,
    });
    guests[key] = userPrincipal(user.id);
  }
  // The principals the staff would sign in as: the owner everywhere, Sam at Berlin.
  const owner = userPrincipal(input.owner.id, [{ role: 'owner', organizationId: input.organizationId, storeId: null }]);
  const staff = userPrincipal(input.staff.id, [
    { role: 'staff', organizationId: input.organizationId, storeId: input.staff.storeId },
  ]);

  const now = new Date();
  const posted: Partial<Record<string, string>> = {};
  // Oldest first: each store's order numbers and history sequence grow with time.
  for (const visit of VISITS) {
    const store = input.stores[visit.store];
    const customer = guests[visit.guest] as Extract<Principal, { kind: 'user' }>;
    const order = await ordering.api.writeDemoOrderIn(trx, {
      store: {
        id: store.id,
        organization_id: input.organizationId,
        timezone: store.timezone,
        currency: store.currency,
        prices_include_tax: DEMO_TAXES[visit.store].prices_include_tax,
      },
      customerId: customer.userId,
      tableId: store.tableId,
      staffId: visit.store === 'berlin' ? input.staff.id : input.owner.id,
      lines: visit.dishes.map((dish) => lineOf(dish, visit.store, input.ids)),
      placedAt: dinnerOf(visit.daysAgo, now),
    });
    await payments.api.takeCashIn(trx, order.id);
    const review = await reviews.service.postReviewIn(trx, customer, order.id, visit.review);
    posted[`${visit.guest}@${visit.store}`] = review.id;
  }

  // Berlin's newest review: the store answers, another guest asks, the store answers again.
  const gia = posted['gia@berlin']!;
  const answer = await reviews.service.postReplyIn(trx, staff, gia, {
    body: 'Grazie, Gia! Our dough rests for 48 hours before it meets the oven.',
  });
  const question = await reviews.service.postReplyIn(trx, guests.hugo, gia, {
    body: '48 hours, so that is why it is so light. Do you sell the dough to take home?',
    parent_reply_id: answer.id,
  });
  await reviews.service.postReplyIn(trx, staff, gia, {
    body: 'We do, on Saturdays from noon: ask at the counter.',
    parent_reply_id: question.id,
  });
  // Brooklyn: the owner answers the unhappy guest.
  await reviews.service.postReplyIn(trx, owner, posted['ines@brooklyn']!, {
    body: 'Sorry about that, Ines. The next Marinara is on us; we have re-trained the late shift.',
  });
}
