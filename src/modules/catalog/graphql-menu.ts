// The storefront menu as GraphQL: store → menus → categories → items → modifier groups →
// options (→ child group → options). A view of the menu resolver: `menus(channel, at)` reads the
// same cached resolved menu as the REST menu and search, and every field below it is that
// menu's data under GraphQL names. So availability, prices, nesting and empty categories follow
// the resolver's rules, and a query costs the store lookup plus, when the menu is cold, one build.
import { GraphQLError } from 'graphql';
import type { IResolvers } from 'mercurius';
import type { TenancyApi } from '../tenancy/index.js';
import type { GraphqlView } from './graphql-host.js';
import {
  CHANNELS,
  type PriceChannel,
  type ResolvedGroup,
  type ResolvedItem,
  type ResolvedMenu,
  type ResolvedOption,
} from './resolved-menu.js';

export const storefrontSchema = /* GraphQL */ `
  "Money in minor units of an ISO 4217 currency."
  type Money {
    amount: Int!
    currency: String!
  }

  enum Channel {
    pickup
    delivery
    dine_in
  }

  type Query {
    "A store by id; null when there is none."
    store(id: ID!): Store
  }

  type Store {
    id: ID!
    name: String!
    "IANA time zone; menus are served by the store's local time."
    timezone: String!
    currency: String!
    "Menus served at \`at\` (RFC 3339, default now), priced for \`channel\` (default: the store price for every channel)."
    menus(channel: Channel, at: String): [Menu!]!
  }

  type Menu {
    id: ID!
    name: String!
    categories: [Category!]!
  }

  type Category {
    id: ID!
    name: String!
    description: String
    "Items not 86'd at the store."
    items: [Item!]!
  }

  type Item {
    id: ID!
    name: String!
    description: String
    imageUrl: String
    tags: [String!]!
    allergens: [String!]!
    "Effective price when the item has no variants."
    price: Money!
    variants: [Variant!]!
    modifierGroups: [ModifierGroup!]!
  }

  type Variant {
    id: ID!
    name: String!
    price: Money!
  }

  type ModifierGroup {
    id: ID!
    name: String!
    min: Int!
    max: Int!
    freeQuantity: Int!
    "Options available at the store (not switched off, not 86'd)."
    options: [ModifierOption!]!
  }

  type ModifierOption {
    id: ID!
    name: String!
    price: Money!
    maxQuantity: Int!
    "The group this option opens (nested modifiers, e.g. a combo's drink)."
    childGroup: ModifierGroup
  }
`;

export interface GraphqlMenuDeps {
  tenancy: { api: Pick<TenancyApi, 'findStore'> };
  /** The resolved menu valid at `at`, from the menu cache (shared: read only). */
  menuAt(storeId: string, channel: PriceChannel, at: Date): Promise<ResolvedMenu>;
  clock: () => Date;
}

interface StoreObj {
  id: string;
  name: string;
  timezone: string;
  currency: string;
}

const badInput = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

function momentOf(at: string | null | undefined, clock: () => Date): Date {
  if (at == null) return clock();
  const moment = new Date(at);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(at) || Number.isNaN(moment.getTime()))
    throw badInput('`at` must be an RFC 3339 timestamp, e.g. 2026-11-21T12:00:00Z.');
  return moment;
}

export function storefrontMenuGraphql(deps: GraphqlMenuDeps): GraphqlView {
  const resolvers: IResolvers = {
    Query: {
      async store(_root: unknown, args: { id: string }): Promise<StoreObj | null> {
        const store = await deps.tenancy.api.findStore(args.id);
        return store ? { id: store.id, name: store.name, timezone: store.timezone, currency: store.currency } : null;
      },
    },
    Store: {
      async menus(store: StoreObj, args: { channel?: PriceChannel; at?: string | null }) {
        const at = momentOf(args.at, deps.clock);
        const channel = args.channel ?? null;
        if (channel !== null && !CHANNELS.includes(channel)) throw badInput('Unknown channel.');
        return (await deps.menuAt(store.id, channel, at)).menus;
      },
    },
    // The resolved menu's fields under their GraphQL names; the rest keep theirs.
    Item: {
      imageUrl: (item: ResolvedItem) => item.image_url,
      modifierGroups: (item: ResolvedItem) => item.modifier_groups,
    },
    ModifierGroup: {
      min: (group: ResolvedGroup) => group.min_select,
      max: (group: ResolvedGroup) => group.max_select,
      freeQuantity: (group: ResolvedGroup) => group.free_quantity,
    },
    ModifierOption: {
      maxQuantity: (option: ResolvedOption) => option.max_quantity,
      childGroup: (option: ResolvedOption) => option.child_group,
    },
  };
  return { typeDefs: storefrontSchema, resolvers };
}
