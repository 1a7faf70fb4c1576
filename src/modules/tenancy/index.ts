// Tenancy owns organizations, stores, opening hours and tables.
// (skeleton — being built)
import type { Db } from '../../platform/db/index.js';
import type { ModuleSurface } from '../../platform/http/module.js';
import type { IdentityModule } from '../identity/index.js';

export function createTenancyModule(deps: { db: Db; identity: IdentityModule }) {
  void deps;
  const surface: ModuleSurface = { routes: async () => undefined, tasks: [] };
  return { ...surface };
}
