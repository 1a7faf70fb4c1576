// Business rules of organizations, stores and their hours. Access is checked here against the
// organization/store that owns the resource (404 to outsiders, 403 to colleagues without the
// right role). Writes run in one transaction; the `api` functions join the caller's.
import { v7 as uuidv7 } from 'uuid';
import { requireUser, type Principal } from '../../platform/auth/principal.js';
import { inTransaction, type Db, type Tx } from '../../platform/db/index.js';
import {
  ConflictError,
  NotFoundError,
  PreconditionFailedError,
  UnprocessableError,
  ValidationError,
} from '../../platform/http/errors.js';
import { decodeCursor, isUuid, toPage, type PageOf } from '../../platform/http/schema.js';
import type { IdentityApi } from '../identity/index.js';
import { assertMayReadOrganization, assertRule, RULES } from './access.js';
import { organizationAggregate, storeAggregate, type StoreChange, type TenancyEventAppender } from './events.js';
import {
  dateOfDayNumber,
  dayNumberOf,
  isOpenAt,
  LOOKAHEAD_DAYS,
  localDateAt,
  openIntervalsForDays,
  type DailyInterval,
  type OpenInterval,
  type WeeklyInterval,
} from './hours.js';
import {
  exceptionWindow,
  presentException,
  presentOrganization,
  presentStore,
  presentStoreSummary,
  UPCOMING_EXCEPTION_DAYS,
  type Presented,
} from './present.js';
import { tenancyRepo as repo, type Executor, type OrganizationRow, type StoreBasics } from './repo.js';
import type {
  HoursException,
  HoursExceptionBody,
  Organization,
  Store,
  StoreSummary,
  UpdateOrganizationBody,
  UpdateStoreBody,
} from './schema.js';
import {
  checkStoreSettings,
  exceptionProblems,
  normalizeAddress,
  throwIfProblems,
  weeklyProblems,
  type AddressInput,
} from './validate.js';

/** The one thing tenancy needs from identity: making the creator of an organization its owner. */
export type RoleGranter = Pick<IdentityApi, 'grantRole'>;

export interface TenancyServiceDeps {
  db: Db;
  roles: RoleGranter;
  events: TenancyEventAppender;
  clock: () => Date;
}

export interface NewStore {
  organizationId: string;
  name: string;
  address: AddressInput;
  timezone: string;
  currency: string;
  phone?: string | null;
  opening_hours?: WeeklyInterval[];
}

/** Exceptions may be planned this far ahead (store-local days). */
const MAX_EXCEPTION_DAYS_AHEAD = 730;

/** The version an If-Match header lets a write proceed from (null: unconditional), or 412. */
function expectedVersion(ifMatch: number[] | null, current: number): number | null {
  if (ifMatch === null) return null;
  if (!ifMatch.includes(current)) throw new PreconditionFailedError();
  return current;
}

export function createTenancyService(deps: TenancyServiceDeps) {
  const { db, clock, events } = deps;

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

  async function createStore(trx: Tx, input: NewStore): Promise<{ id: string }> {
    const { settings, problems } = checkStoreSettings(input);
    const weekly = input.opening_hours ?? [];
    throwIfProblems([...problems, ...weeklyProblems(weekly, '/body/opening_hours')]);
    const id = uuidv7();
    await repo.insertStore(trx, {
      id,
      organization_id: input.organizationId,
      name: settings.name,
      address: normalizeAddress(settings.address),
      phone: settings.phone ?? null,
      timezone: settings.timezone,
      currency: settings.currency,
    });
    await repo.replaceOpeningHours(trx, id, weekly);
    await events.append(trx, {
      type: 'tenancy.store.created',
      aggregate: storeAggregate(id),
      data: {
        store_id: id,
        organization_id: input.organizationId,
        timezone: settings.timezone,
        currency: settings.currency,
      },
    });
    return { id };
  }

  async function readStore(ex: Executor, storeId: string): Promise<Presented<Store> & { version: number }> {
    const now = clock();
    const row = await repo.findStore(ex, storeId, exceptionWindow(now, UPCOMING_EXCEPTION_DAYS));
    if (!row) throw new NotFoundError('store');
    return { ...presentStore(row, now), version: row.version };
  }

  /**
   * The frame of every store write: the store must exist and the caller may edit it, the
   * If-Match version must be current; then the version is bumped (locking the row) with the
   * settings patch, `work` runs, `tenancy.store.updated` is appended, and the fresh store is
   * returned.
   */
  async function editStore(
    principal: Principal | null,
    storeId: string,
    ifMatch: number[] | null,
    patch: Parameters<typeof repo.bumpStoreVersion>[3],
    changed: StoreChange[],
    work: (trx: Tx, store: StoreBasics) => Promise<void> = async () => undefined,
  ) {
    return inTransaction(db, async (trx) => {
      const store = await repo.findStoreBasics(trx, storeId);
      if (!store) throw new NotFoundError('store');
      assertRule(principal, RULES.editStore, { organizationId: store.organization_id, storeId }, 'store');
      const version = await repo.bumpStoreVersion(trx, storeId, expectedVersion(ifMatch, store.version), patch);
      if (version === null) throw new PreconditionFailedError();
      await work(trx, store);
      await events.append(trx, {
        type: 'tenancy.store.updated',
        aggregate: storeAggregate(storeId),
        data: { store_id: storeId, organization_id: store.organization_id, version, changed },
      });
      return readStore(trx, storeId);
    });
  }

  async function storeForStaff(
    ex: Executor,
    principal: Principal | null,
    storeId: string,
    rule: typeof RULES.editStore | typeof RULES.readStoreBackOffice,
  ) {
    const store = await repo.findStoreBasics(ex, storeId);
    if (!store) throw new NotFoundError('store');
    assertRule(principal, rule, { organizationId: store.organization_id, storeId }, 'store');
    return store;
  }

  /** An exception date must be a real date, not before today and not absurdly far ahead. */
  function checkExceptionDate(store: StoreBasics, date: string): void {
    const day = dayNumberOf(date);
    const today = dayNumberOf(localDateAt(clock(), store.timezone))!;
    if (day === null) throw new ValidationError([{ path: '/params/date', message: 'is not a calendar date' }]);
    if (day < today)
      throw new UnprocessableError(
        'HOURS_EXCEPTION_IN_PAST',
        `${date} is in the past for this store (today is ${dateOfDayNumber(today)}).`,
      );
    if (day > today + MAX_EXCEPTION_DAYS_AHEAD) {
      throw new UnprocessableError(
        'HOURS_EXCEPTION_TOO_FAR_AHEAD',
        `Exceptions can be planned up to ${MAX_EXCEPTION_DAYS_AHEAD} days ahead.`,
      );
    }
  }

  return {
    createOrganization,
    createStore,

    // --- organizations -----------------------------------------------------------------------

    async foundOrganization(
      principal: Principal | null,
      input: { slug: string; name: string },
    ): Promise<{ body: Organization; version: number }> {
      const user = requireUser(principal);
      const row = await inTransaction(db, (trx) => createOrganization(trx, { ...input, ownerUserId: user.userId }));
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

    // --- stores ------------------------------------------------------------------------------

    async openStore(principal: Principal | null, organizationId: string, input: Omit<NewStore, 'organizationId'>) {
      assertRule(principal, RULES.createStore, { organizationId }, 'organization');
      return inTransaction(db, async (trx) => {
        if (!(await repo.findOrganization(trx, organizationId))) throw new NotFoundError('organization');
        const { id } = await createStore(trx, { ...input, organizationId });
        return readStore(trx, id);
      });
    },

    /** Public: anyone may read a store. */
    async getStore(storeId: string) {
      return readStore(db, storeId);
    },

    /** Public directory, in creation order. An unknown organization slug lists nothing. */
    async listStores(query: {
      org?: string;
      limit?: number;
      cursor?: string;
    }): Promise<PageOf<StoreSummary> & { freshForSeconds: number }> {
      const limit = query.limit ?? 20;
      const after = decodeCursor(query.cursor, ['id'] as const);
      const now = clock();
      const rows = await repo.listStores(db, {
        organizationSlug: query.org ?? null,
        afterId: after?.id ?? null,
        limit,
        window: exceptionWindow(now, LOOKAHEAD_DAYS),
      });
      let freshForSeconds = Number.POSITIVE_INFINITY;
      const page = toPage(
        rows,
        limit,
        (row) => {
          const presented = presentStoreSummary(row, now);
          freshForSeconds = Math.min(freshForSeconds, presented.freshForSeconds);
          return presented.body;
        },
        (row) => ({ id: row.id }),
      );
      return { ...page, freshForSeconds: Number.isFinite(freshForSeconds) ? freshForSeconds : 60 };
    },

    async updateStore(principal: Principal | null, storeId: string, patch: UpdateStoreBody, ifMatch: number[] | null) {
      const { settings, problems } = checkStoreSettings(patch);
      throwIfProblems(problems);
      const { address, ...rest } = settings;
      const changed = (['name', 'address', 'phone', 'timezone', 'currency'] as const).filter(
        (field) => settings[field] !== undefined,
      );
      return editStore(
        principal,
        storeId,
        ifMatch,
        { ...rest, ...(address ? { address: normalizeAddress(address) } : {}) },
        changed,
      );
    },

    async replaceOpeningHours(
      principal: Principal | null,
      storeId: string,
      weekly: WeeklyInterval[],
      ifMatch: number[] | null,
    ) {
      throwIfProblems(weeklyProblems(weekly, '/body/opening_hours'));
      return editStore(principal, storeId, ifMatch, {}, ['opening_hours'], (trx) =>
        repo.replaceOpeningHours(trx, storeId, weekly),
      );
    },

    async setHoursException(
      principal: Principal | null,
      storeId: string,
      date: string,
      input: HoursExceptionBody,
      ifMatch: number[] | null,
    ) {
      const intervals: DailyInterval[] = input.intervals ?? [];
      throwIfProblems(exceptionProblems({ date, closed: input.closed, intervals }, '/body'));
      let saved: (HoursException & { created: boolean }) | undefined;
      await editStore(principal, storeId, ifMatch, {}, ['hours_exceptions'], async (trx, store) => {
        checkExceptionDate(store, date);
        const row = await repo.upsertHoursException(trx, {
          id: uuidv7(),
          store_id: storeId,
          date,
          closed: input.closed,
          intervals,
          note: input.note ?? null,
        });
        saved = { ...presentException(row), created: row.created };
      });
      return saved!;
    },

    async removeHoursException(
      principal: Principal | null,
      storeId: string,
      date: string,
      ifMatch: number[] | null,
    ): Promise<void> {
      await editStore(principal, storeId, ifMatch, {}, ['hours_exceptions'], async (trx) => {
        if (!(await repo.deleteHoursException(trx, storeId, date))) throw new NotFoundError('hours exception');
      });
    },

    async listHoursExceptions(
      principal: Principal | null,
      storeId: string,
      query: { from?: string; limit?: number; cursor?: string },
    ): Promise<PageOf<HoursException>> {
      const store = await storeForStaff(db, principal, storeId, RULES.readStoreBackOffice);
      const limit = query.limit ?? 20;
      const after = decodeCursor(query.cursor, ['date'] as const, (key) => dayNumberOf(key.date) !== null);
      const fromDate = query.from ?? localDateAt(clock(), store.timezone);
      const rows = await repo.listHoursExceptions(db, storeId, { fromDate, afterDate: after?.date ?? null, limit });
      return toPage(rows, limit, presentException, (row) => ({ date: row.date }));
    },

    storeForStaff,

    // --- for other modules -------------------------------------------------------------------

    storeIdsOf: (organizationId: string, ex: Executor = db): Promise<string[]> => repo.storeIdsOf(ex, organizationId),
    async findStore(storeId: string, ex: Executor = db): Promise<StoreBasics | null> {
      if (!isUuid(storeId)) return null;
      return repo.findStoreBasics(ex, storeId);
    },

    /** Is the store open at this instant (by its hours and exceptions)? False for no store. */
    async isStoreOpenAt(storeId: string, at: Date, ex: Executor = db): Promise<boolean> {
      if (!isUuid(storeId)) return false;
      const row = await repo.findStore(ex, storeId, exceptionWindow(at, 1));
      if (!row) return false;
      return isOpenAt({ timezone: row.timezone, weekly: row.opening_hours, exceptions: row.exceptions }, at);
    },

    /**
     * The store's open intervals that start on store-local days [from, to] (YYYY-MM-DD), merged
     * where they touch, in order; null for no such store. Kitchen slots are anchored to these.
     */
    async openIntervals(
      storeId: string,
      from: string,
      to: string,
      ex: Executor = db,
    ): Promise<{ timezone: string; intervals: OpenInterval[] } | null> {
      const first = dayNumberOf(from);
      const last = dayNumberOf(to);
      if (!isUuid(storeId) || first === null || last === null || last < first) return null;
      const row = await repo.findStore(ex, storeId, {
        from: dateOfDayNumber(first - 1),
        to: dateOfDayNumber(last + 1),
      });
      if (!row) return null;
      const schedule = { timezone: row.timezone, weekly: row.opening_hours, exceptions: row.exceptions };
      return { timezone: row.timezone, intervals: openIntervalsForDays(schedule, first, last) };
    },
  };
}

export type TenancyService = ReturnType<typeof createTenancyService>;
