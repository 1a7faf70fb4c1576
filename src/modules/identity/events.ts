// The domain events identity appends to the outbox, in the transaction of the change. Ids and
// roles only: never emails, names, passwords or tokens. Membership events are ordered with the
// organization's own events (same ordering key), so a consumer sees an organization before the
// roles in it.
import type { EventAppender } from '../../platform/events/index.js';
import type { StaffRole } from '../../platform/auth/principal.js';

export type IdentityEvents = {
  /** A new account signed up (an attempt on an address already in use appends nothing). */
  'identity.user.signed_up': { user_id: string };
  /** A role was granted: to the founder of an organization, or to a member added (or invited) by staff. */
  'identity.member.added': {
    membership_id: string;
    organization_id: string;
    store_id: string | null;
    user_id: string;
    role: StaffRole;
  };
  'identity.member.removed': {
    membership_id: string;
    organization_id: string;
    store_id: string | null;
    user_id: string;
    role: StaffRole;
  };
};

export type IdentityEventAppender = EventAppender<IdentityEvents>;

export const userAggregate = (userId: string) => ({ type: 'user', id: userId });

export const organizationAggregate = (organizationId: string) => ({ type: 'organization', id: organizationId });
