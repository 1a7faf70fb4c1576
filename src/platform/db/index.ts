export { createDatabase, type Database, type Db } from './pool.js';
export { inTransaction, type Tx } from './transaction.js';
export { onAnotherConnection } from './one-connection.js';
export { migrate, pendingMigrations } from './migrate.js';
export type { PlatformTables } from './tables.js';
