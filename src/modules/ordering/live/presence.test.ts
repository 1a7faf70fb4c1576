// Kitchen feed presence: a store counts as watched while one of its kitchen feeds is open (through
// a real socket), and not once the last one closed; an order's own stream does not count; a row
// left by a process that died stops counting when its refreshes stop.
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test-support/harness.js';
import { closeLiveClients, openStream } from '../../../test-support/live-clients.js';
import { startFeedNode, type FeedNode } from '../../../test-support/live-factories.js';
import { organizationWithStore } from '../../../test-support/tenancy-factories.js';
import { waitFor } from '../../../test-support/wait.js';

let t: TestApp;
let node: FeedNode;
let url: string;
beforeAll(async () => {
  t = await createTestApp();
  node = await startFeedNode(t);
  url = node.url;
});
afterEach(() => closeLiveClients());
afterAll(async () => {
  await node?.close();
  await t?.close();
});

// Asked through the app's own ordering api: the feeds are served by another node (the rows are shared).
const watched = (storeId: string) => t.modules.ordering.api.kitchenFeedOpen(t.db.database.db, storeId);

describe('kitchen feed presence', () => {
  it('when a kitchen feed opens, then its store is watched until the last feed closes; other stores are not', async () => {
    const { organization, store } = await organizationWithStore(t);
    const other = await organizationWithStore(t);
    expect(await watched(store.id)).toBe(false);

    const first = await openStream(`${url}/v1/stores/${store.id}/orders/stream`, organization.owner.token);
    const second = await openStream(`${url}/v1/stores/${store.id}/orders/stream`, organization.owner.token);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(await watched(store.id)).toBe(true);
    expect(await watched(other.store.id)).toBe(false);

    first.close();
    await waitFor('one feed left', async () => {
      const { rows } = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM kitchen_feed_presence WHERE store_id = ${store.id}`.execute(t.db.database.db);
      return rows[0]!.n === 1;
    });
    expect(await watched(store.id)).toBe(true);
    second.close();
    await waitFor('no feed left', async () => !(await watched(store.id)));
  });

  it('when a refused stream or a stale row of a dead process is all there is, then the store is not watched', async () => {
    const { organization, store } = await organizationWithStore(t);
    const stranger = await organizationWithStore(t);
    const refused = await openStream(`${url}/v1/stores/${store.id}/orders/stream`, stranger.organization.owner.token);
    expect([403, 404]).toContain(refused.status);
    expect(await watched(store.id)).toBe(false);

    await sql`INSERT INTO kitchen_feed_presence (id, store_id, seen_at)
      VALUES (gen_random_uuid(), ${store.id}, now() - interval '2 minutes')`.execute(t.db.database.db);
    expect(await watched(store.id)).toBe(false);
    const live = await openStream(`${url}/v1/stores/${store.id}/orders/stream`, organization.owner.token);
    expect(live.status).toBe(200);
    expect(await watched(store.id)).toBe(true);
  });
});
