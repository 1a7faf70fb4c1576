// What tenancy's services need from outside: the database, identity's role grant (the founder
// of an organization becomes its owner), the event appender and the clock.
import type { Db } from '../../platform/db/index.js';
import type { IdentityApi } from '../identity/index.js';
import type { TenancyEventAppender } from './events.js';

/** The one thing tenancy needs from identity: making the creator of an organization its owner. */
export type RoleGranter = Pick<IdentityApi, 'grantRole'>;

export interface TenancyServiceDeps {
  db: Db;
  roles: RoleGranter;
  events: TenancyEventAppender;
  clock: () => Date;
}
