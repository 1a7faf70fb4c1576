import type { Db } from '../platform/db/index.js';
import type { Modules } from '../modules.js';
export async function seedDemoIfEmpty(db: Db, modules: Modules): Promise<boolean> { void db; void modules; return false; }
export async function resetDemo(db: Db, modules: Modules): Promise<void> { void db; void modules; }
