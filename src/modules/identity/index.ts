// Identity owns people, credentials, sessions, roles and API keys.
// (skeleton — being built)
import type { Config } from '../../config.js';
import type { Authenticate } from '../../platform/auth/access.js';
import type { AccessTokenIssuer } from '../../platform/auth/tokens.js';
import type { Db } from '../../platform/db/index.js';
import { UnauthenticatedError } from '../../platform/http/errors.js';
import type { ModuleSurface } from '../../platform/http/module.js';

export function createIdentityModule(deps: { db: Db; tokens: AccessTokenIssuer; auth: Config['auth'] }) {
  void deps;
  const authenticate: Authenticate = async () => {
    throw new UnauthenticatedError();
  };
  const surface: ModuleSurface = { routes: async () => undefined, tasks: [] };
  return { ...surface, authenticate };
}
export type IdentityModule = ReturnType<typeof createIdentityModule>;
