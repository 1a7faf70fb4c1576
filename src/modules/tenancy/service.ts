// Business rules of organizations, stores and their hours. Access is checked here against the
// organization/store that owns the resource (404 to outsiders, 403 to colleagues without the
// right role). Writes run in one transaction; the `api` functions join the caller's. One file
// per job, composed here:
//   organizations.ts   founding, reading and renaming organizations
//   stores.ts          opening stores, the directory and store page, a store's settings
//   store-hours.ts     weekly opening hours and their exceptions
//   store-edits.ts     the frame of staff work on a store (role check, If-Match, version, event)
//   store-lookups.ts   what other modules ask about stores (ids, basics, open when)
//   deps.ts            what these need from outside
import type { TenancyServiceDeps } from './deps.js';
import { createOrganizations } from './organizations.js';
import { createStoreEdits } from './store-edits.js';
import { createStoreHours } from './store-hours.js';
import { createStoreLookups } from './store-lookups.js';
import { createStores } from './stores.js';

export type { RoleGranter, TenancyServiceDeps } from './deps.js';
export type { NewStore } from './stores.js';

export function createTenancyService(deps: TenancyServiceDeps) {
  const edits = createStoreEdits(deps);
  return {
    ...createOrganizations(deps),
    ...createStores(deps, edits),
    ...createStoreHours(deps, edits),
    storeForStaff: edits.storeForStaff,
    ...createStoreLookups(deps),
  };
}

export type TenancyService = ReturnType<typeof createTenancyService>;
