// SQL for the tenancy tables, and nothing else. Every function takes the executor (the pool or
// a transaction) first, so services decide what runs in which transaction. One file per
// aggregate, joined here:
//   organizations-repo.ts   organizations (the brands)
//   stores-repo.ts          stores, and a store read with its hours and exceptions
//   store-hours-repo.ts     weekly opening hours and the hours exceptions
//   dining-tables-repo.ts   dining tables and their QR tokens
//   db-tables.ts            the tables' and rows' shapes
import { diningTablesRepo } from './dining-tables-repo.js';
import { organizationsRepo } from './organizations-repo.js';
import { storeHoursRepo } from './store-hours-repo.js';
import { storesRepo } from './stores-repo.js';

export type {
  Address,
  DateWindow,
  ExceptionRow,
  Executor,
  OrganizationRow,
  StoreBasics,
  StoreRow,
  TableRow,
  TenancyTables,
} from './db-tables.js';

export const tenancyRepo = { ...organizationsRepo, ...storesRepo, ...storeHoursRepo, ...diningTablesRepo };
