// Wires the modules together. Each module builds itself in its own index.ts; this file only
// passes each one the narrow slice of the others that it needs.
import type { Config } from './config.js';
import type { AccessTokenIssuer } from './platform/auth/tokens.js';
import type { Db } from './platform/db/index.js';
import { createIdentityModule } from './modules/identity/index.js';
import { createTenancyModule } from './modules/tenancy/index.js';

export interface ModuleDeps {
  config: Config;
  db: Db;
  tokens: AccessTokenIssuer;
}

export function createModules(deps: ModuleDeps) {
  const identity = createIdentityModule({ db: deps.db, tokens: deps.tokens, auth: deps.config.auth, production: deps.config.nodeEnv === 'production' });
  const tenancy = createTenancyModule({ db: deps.db, identity });
  return { identity, tenancy };
}

export type Modules = ReturnType<typeof createModules>;
