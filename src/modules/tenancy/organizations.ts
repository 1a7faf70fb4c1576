// The rules of organizations (the brands): founding one (its founder becomes the owner),
// reading and renaming it, and the lookups and demo reset other modules use.
import { v7 as uuidv7 } from 'uuid';
import { recordAudit } from '../../platform/audit/index.js';
import { requireUser, type Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Tx } from '../../platform/db/index.js';
import { ConflictError, NotFoundError, PreconditionFailedError } from '../../platform/http/errors.js';
import { assertMayReadOrganization, assertRule, RULES } from './access.js';
import { expectedVersion } from './conditional.js';
import type { TenancyServiceDeps } from './deps.js';
import { organizationAggregate } from './events.js';
import { presentOrganization } from './present.js';
import { tenancyRepo as repo, type Executor, type OrganizationRow } from './repo.js';
import type { Organization, UpdateOrganizationBody } from './schema.js';

export function createOrganizations(deps: TenancyServiceDeps) {
  const { db, events } = deps;

  async function createOrganization(
    trx: Tx,
    input: { slug: string; name: string; ownerUserId: string },
  ): Promise<OrganizationRow> {
    const row = await repo.insertOrganization(trx, { id: uuidv7(), slug: input.slug, name: input.name });
    if (!row) throw new ConflictError('ORGANIZATION_SLUG_TAKEN', `The slug "${input.slug}" is taken; choose another.`);
    // Before the owner's membership, which shares this ordering key: consumers see the
    // organization before anyone's role in it.
    await events.append(trx, {
      type: 'tenancy.organization.created',
      aggregate: organizationAggregate(row.id),
      data: { organization_id: row.id, slug: row.slug },
    });
    await deps.roles.grantRole(trx, {
      userId: input.ownerUserId,
      organizationId: row.id,
      storeId: null,
      role: 'owner',
    });
    return row;
  }

  return {
    createOrganization,

    async foundOrganization(
      principal: Principal | null,
      input: { slug: string; name: string },
    ): Promise<{ body: Organization; version: number }> {
      const user = requireUser(principal);
      const row = await inTransaction(db, async (trx) => {
        const created = await createOrganization(trx, { ...input, ownerUserId: user.userId });
        await recordAudit(trx, {
          organizationId: created.id,
          action: 'tenancy.organization.founded',
          target: { type: 'organization', id: created.id },
          after: { slug: created.slug, name: created.name },
        });
        return created;
      });
      return { body: presentOrganization(row), version: row.version };
    },

    async getOrganization(
      principal: Principal | null,
      organizationId: string,
    ): Promise<{ body: Organization; version: number }> {
      assertMayReadOrganization(principal, organizationId);
      const row = await repo.findOrganization(db, organizationId);
      if (!row) throw new NotFoundError('organization');
      return { body: presentOrganization(row), version: row.version };
    },

    async updateOrganization(
      principal: Principal | null,
      organizationId: string,
      patch: UpdateOrganizationBody,
      ifMatch: number[] | null,
    ) {
      assertRule(principal, RULES.updateOrganization, { organizationId }, 'organization');
      return inTransaction(db, async (trx) => {
        const current = await repo.findOrganization(trx, organizationId);
        if (!current) throw new NotFoundError('organization');
        const result = await repo.updateOrganization(
          trx,
          organizationId,
          expectedVersion(ifMatch, current.version),
          patch,
        );
        if (result === 'stale') throw new PreconditionFailedError();
        if (result === 'slug_taken')
          throw new ConflictError(
            'ORGANIZATION_SLUG_TAKEN',
            `The slug "${patch.slug ?? ''}" is taken; choose another.`,
          );
        const changed = (['slug', 'name'] as const).filter((field) => patch[field] !== undefined);
        await events.append(trx, {
          type: 'tenancy.organization.updated',
          aggregate: organizationAggregate(organizationId),
          data: { organization_id: organizationId, version: result.version, changed },
        });
        await recordAudit(trx, {
          organizationId,
          action: 'tenancy.organization.updated',
          target: { type: 'organization', id: organizationId },
          before: { slug: current.slug, name: current.name },
          after: { slug: result.slug, name: result.name },
        });
        return { body: presentOrganization(result), version: result.version };
      });
    },

    async findOrganizationBySlug(
      ex: Executor,
      slug: string,
    ): Promise<{ id: string; slug: string; name: string } | null> {
      const row = await repo.findOrganizationBySlug(ex, slug);
      return row ? { id: row.id, slug: row.slug, name: row.name } : null;
    },

    async findOrganization(ex: Executor, id: string): Promise<{ id: string; slug: string; name: string } | null> {
      const row = await repo.findOrganization(ex, id);
      return row ? { id: row.id, slug: row.slug, name: row.name } : null;
    },

    async deleteOrganizationBySlug(trx: Tx, slug: string): Promise<boolean> {
      return repo.deleteOrganizationBySlug(trx, slug);
    },
  };
}
