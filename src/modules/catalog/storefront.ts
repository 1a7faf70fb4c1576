// Storefront: the resolved menu per store, channel and moment, cached (L1 memory + L2 Redis),
// and GET /v1/stores/{id}/menu. A warm read is one in-memory lookup and the send of prebuilt
// bytes; the database is only touched to build a snapshot, which then serves every `at` until a
// menu window opens or closes or an 86 expires (or a write invalidates it). Search, GraphQL and
// ordering read the same snapshots (menuOf / menuAt), never a resolution of their own.
import { createHash } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Db } from '../../platform/db/index.js';
import { isNotModified, sendNotModified } from '../../platform/http/conditional.js';
import { problems } from '../../platform/http/schema.js';
import type { TenancyApi } from '../tenancy/index.js';
import { createMenuCache, type MenuSnapshot } from './menu-cache.js';
import type { MenuContributor } from './menu-contributors.js';
import { CHANNELS, type PriceChannel, type Resolution, type ResolvedMenu } from './resolved-menu.js';
import { resolveMenu as resolveFromDb } from './storefront-resolve.js';
import { MenuHeaders, MenuParams, MenuQuery, ResolvedMenuSchema } from './storefront-schema.js';
import { Type } from 'typebox';

export type { Channel, ResolvedMenu, Resolution } from './resolved-menu.js';
export type { MenuSnapshot } from './menu-cache.js';

/** Which cached menus a committed write makes stale: a whole brand, or some of its stores. */
export interface Invalidation {
  organizationId: string;
  /** null: every store of the organization. */
  storeIds: string[] | null;
}

export interface StorefrontDeps {
  db: Db;
  tenancy: { api: Pick<TenancyApi, 'findStore' | 'storeIdsOf'> };
  redis: Redis | null;
  logger: Logger;
  clock: () => Date;
  /** What other modules add to the menu (promotions, rewards, ingredient 86s), in order. */
  contributors?: readonly MenuContributor[];
}

/** Longest public freshness of a menu response, in seconds. */
const MAX_AGE_CAP = 60;

/** Cache key part of a channel; "*" is the no-channel resolution (search and GraphQL without one). */
const channelKey = (channel: PriceChannel) => channel ?? '*';
const CACHED_CHANNELS = [...CHANNELS.map(channelKey), channelKey(null)];

export function etagOfSnapshot(resolution: Resolution, json: string): string {
  const digest = createHash('sha256').update(json).digest('base64url').slice(0, 22);
  return `"${resolution.catalogVersion ?? 0}.${resolution.storeVersion}-${digest}"`;
}

export function createStorefront(deps: StorefrontDeps) {
  const cache = createMenuCache({ redis: deps.redis, logger: deps.logger });
  // Bytes of each snapshot object L1 holds, encoded once (L1 keeps objects, not copies).
  const bytes = new WeakMap<MenuSnapshot, Buffer>();
  // Parsed copies of snapshots for in-process readers (ordering), parsed once per snapshot.
  const parsed = new WeakMap<MenuSnapshot, ResolvedMenu>();

  async function build(storeId: string, channel: PriceChannel, at: Date): Promise<MenuSnapshot> {
    const resolution = await resolveFromDb(deps, storeId, channel, at);
    const json = JSON.stringify(resolution.menu);
    return { json, etag: etagOfSnapshot(resolution, json), from: resolution.validFrom, until: resolution.validUntil };
  }

  /** The snapshot valid at `at`: the shared one for "now" when it covers `at`, else one for `at` itself. */
  async function snapshotAt(storeId: string, channel: PriceChannel, at: Date): Promise<MenuSnapshot> {
    const atMs = at.getTime();
    const key = `${storeId}:${channelKey(channel)}`;
    const current = await cache.getOrBuild(key, storeId, () => build(storeId, channel, deps.clock()), { shared: true });
    if (current.from <= atMs && atMs < current.until) return current;
    const now = deps.clock().getTime();
    if (atMs >= current.until && now >= current.until) {
      // Time moved past the snapshot's validity before its TTL ran out: rebuild the shared one.
      const fresh = await cache.getOrBuild(key, storeId, () => build(storeId, channel, deps.clock()), {
        shared: true,
        force: true,
      });
      if (fresh.from <= atMs && atMs < fresh.until) return fresh;
    }
    return cache.getOrBuild(
      cache.explicitKey(storeId, channelKey(channel), atMs),
      storeId,
      () => build(storeId, channel, at),
      { shared: false },
    );
  }

  /** The resolved menu of a snapshot, parsed once per snapshot. Shared: callers must not modify it. */
  function menuOf(snapshot: MenuSnapshot): ResolvedMenu {
    let menu = parsed.get(snapshot);
    if (!menu) {
      menu = JSON.parse(snapshot.json) as ResolvedMenu;
      parsed.set(snapshot, menu);
    }
    return menu;
  }

  const routes: FastifyPluginAsync = async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/stores/:storeId/menu',
      {
        config: { access: 'public' },
        schema: {
          operationId: 'getStoreMenu',
          summary: 'The store’s resolved menu for a channel and a moment',
          description:
            'Only menus published to the store and served at `at` (their hours are in the store’s time zone), with the items and options orderable there (86’d and unavailable ones are left out), effective prices for the channel (store + channel override, else store override, else the brand price) and tax info. Strong ETag; If-None-Match answers 304. Cached publicly until the menu can next change (at most 60 s).',
          tags: ['catalog'],
          params: MenuParams,
          querystring: MenuQuery,
          headers: MenuHeaders,
          response: {
            200: ResolvedMenuSchema,
            304: Type.Null({ description: 'Not modified: the cached copy (If-None-Match) is current; no body' }),
            ...problems(400, 404),
          },
        },
      },
      async (request, reply) => {
        const channel = request.query.channel ?? 'pickup';
        const at = request.query.at === undefined ? deps.clock() : new Date(request.query.at);
        const snapshot = await snapshotAt(request.params.storeId, channel, at);
        const maxAge = Math.max(0, Math.min(MAX_AGE_CAP, Math.floor((snapshot.until - at.getTime()) / 1000)));
        reply.header('etag', snapshot.etag).header('cache-control', `public, max-age=${maxAge}`);
        if (isNotModified(request.headers['if-none-match'], snapshot.etag)) return sendNotModified(reply);
        let body = bytes.get(snapshot);
        if (!body) {
          body = Buffer.from(snapshot.json);
          bytes.set(snapshot, body);
        }
        return reply.header('content-type', 'application/json; charset=utf-8').send(body as never); // prebuilt bytes: no serialization
      },
    );
  };

  return {
    routes,
    /** The resolved menu, straight from the database (no cache). */
    resolveMenu: (storeId: string, channel: PriceChannel, at: Date) => resolveFromDb(deps, storeId, channel, at),
    /** The cached snapshot (bytes + ETag) valid at `at`. */
    snapshotAt,
    menuOf,
    /** The resolved menu valid at `at`, from the cache. Shared: callers must not modify it. */
    async menuAt(storeId: string, channel: PriceChannel, at: Date): Promise<ResolvedMenu> {
      return menuOf(await snapshotAt(storeId, channel, at));
    },
    /**
     * Drops the affected stores' cached menus here, in L2 and on every node (bus). Call after the
     * write committed. Also for tenancy changes that alter menus (a store's time zone or currency).
     */
    async invalidate(change: Invalidation): Promise<void> {
      const storeIds = change.storeIds ?? (await deps.tenancy.api.storeIdsOf(change.organizationId));
      await cache.drop(storeIds, CACHED_CHANNELS);
    },
    /** Releases cache connections (the bus subscriber); the shared Redis client stays open. */
    async close(): Promise<void> {
      await cache.close();
    },
  };
}
