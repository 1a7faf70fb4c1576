// The one CRUD of the brand catalog's collections (tax categories, categories, items, modifier
// groups, menus). A collection says only what is its own: how a row is built from a create body,
// patched, and released before it goes. Everything they share runs here, through the brand-wide
// edit frame: 404s for another brand's ids, If-Match against the row's version, the version in
// the ETag, validation of the whole catalog, the change event and the cache drop.
import { v7 as uuidv7 } from 'uuid';
import type { Principal } from '../../../platform/auth/principal.js';
import { NotFoundError } from '../../../platform/http/errors.js';
import { decodeCursor, toPage, type PageOf } from '../../../platform/http/schema.js';
import { checkVersion, type AuditOf, type CatalogEdits } from './catalog-edit.js';
import type { ResourceTable } from './catalog-repo.js';
import { byId, type CatalogModel, type Kind } from './model.js';
import type { ResourceKind } from './validate.js';

/** A row of a collection. Rows without a version (tax categories) read as version 1 and send no ETag. */
type Row = { id: string; version?: number };
type Body<R extends Row> = Omit<R, 'version'>;
export type Versioned<T> = { body: T; version: number };
export type PageQuery = { limit?: number; cursor?: string };

export interface Collection<R extends Row, Create, Patch, Query extends PageQuery = PageQuery> {
  /** The row's name in a 404 ("modifier group"). */
  what: string;
  /** The table saying which organization a row id belongs to. */
  table: ResourceTable;
  /** Validation problems of this kind and id are the request's own (reported at /body paths). */
  kind: ResourceKind;
  /** The collection's counts in the change report. */
  report: Kind;
  /** The collection inside a catalog value (the array itself: rows are added to and removed from it). */
  rows(catalog: CatalogModel): R[];
  /** Narrows a listing by the collection's own query filters (paging is shared). */
  listed?(rows: R[], query: Query): R[];
  /** The new row, appended after the others. Throws 404 for ids it names that the brand lacks. */
  build(draft: CatalogModel, id: string, input: Create): R;
  /** Applies a patch to the row (already checked against If-Match). */
  patch(draft: CatalogModel, row: R, input: Patch): void;
  /** Before the row goes: refuses (409) while something needs it, or drops what pointed at it. */
  release?(draft: CatalogModel, row: R): void;
}

function find<T extends { id: string }>(rows: T[], id: string, what: string): T {
  const row = rows.find((r) => r.id === id);
  if (!row) throw new NotFoundError(what);
  return row;
}

const withoutVersion = <R extends Row>({ version: _version, ...rest }: R): Body<R> => rest;

/** A page in id (creation) order, after the cursor's id. */
function page<R extends Row>(rows: R[], query: PageQuery): PageOf<Body<R>> {
  const limit = query.limit ?? 20;
  const after = decodeCursor(query.cursor, ['id'] as const);
  const sorted = [...rows]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .filter((row) => after === null || row.id > after.id);
  return toPage(sorted.slice(0, limit + 1), limit, withoutVersion, (row) => ({ id: row.id }));
}

/** Keeps the ids of children the client names by id or ref; new ones get new ids. */
export function resolveChildren<I extends { id?: string; ref?: string }, M extends { id: string; ref: string }>(
  inputs: I[],
  existing: M[],
  what: string,
): Array<I & { id: string; ref: string }> {
  const ids = byId(existing);
  const refs = new Map(existing.map((row) => [row.ref, row]));
  return inputs.map((input) => {
    if (input.id !== undefined) {
      const old = ids.get(input.id);
      if (!old) throw new NotFoundError(what);
      return { ...input, id: old.id, ref: input.ref ?? old.ref };
    }
    const old = input.ref !== undefined ? refs.get(input.ref) : undefined;
    const id = old?.id ?? uuidv7();
    return { ...input, id, ref: input.ref ?? id };
  });
}

/** List, get, create, update and delete of one collection, for its routes and tests. */
export function collectionService<R extends Row, Create, Patch, Query extends PageQuery>(
  edits: CatalogEdits,
  collection: Collection<R, Create, Patch, Query>,
) {
  const { what, kind, rows } = collection;
  const ownerOf = (id: string) => edits.ownerOf(collection.table, id, what);
  // catalog.item.created, catalog.modifier_group.updated, catalog.menu.deleted, …
  const audit =
    (verb: 'created' | 'updated' | 'deleted', id: string): AuditOf =>
    (before, after) => ({
      action: `catalog.${kind}.${verb}`,
      target: { type: kind, id },
      before: verb === 'created' ? null : rows(before).find((row) => row.id === id),
      after: verb === 'deleted' ? null : rows(after).find((row) => row.id === id),
    });

  return {
    async list(principal: Principal | null, organizationId: string, query: Query): Promise<PageOf<Body<R>>> {
      const all = rows(await edits.readCatalog(principal, organizationId));
      return page(collection.listed ? collection.listed(all, query) : all, query);
    },

    async get(principal: Principal | null, id: string): Promise<Versioned<Body<R>>> {
      const row = find(rows(await edits.readCatalog(principal, await ownerOf(id))), id, what);
      return { body: withoutVersion(row), version: row.version ?? 1 };
    },

    async create(principal: Principal | null, organizationId: string, input: Create): Promise<Versioned<Body<R>>> {
      const id = uuidv7();
      const { draft } = await edits.editCatalog(
        principal,
        organizationId,
        (d) => void rows(d).push(collection.build(d, id, input)),
        { kind, id },
        audit('created', id),
      );
      return { body: withoutVersion(find(rows(draft), id, what)), version: 1 };
    },

    async update(
      principal: Principal | null,
      id: string,
      input: Patch,
      ifMatch: number[] | null,
    ): Promise<Versioned<Body<R>>> {
      const { draft, report } = await edits.editCatalog(
        principal,
        await ownerOf(id),
        (d) => {
          const row = find(rows(d), id, what);
          checkVersion(ifMatch, row.version ?? 1);
          collection.patch(d, row, input);
        },
        { kind, id },
        audit('updated', id),
      );
      // The draft holds the version as loaded; the write bumped it when the row changed.
      const row = find(rows(draft), id, what);
      const version = row.version === undefined ? 1 : row.version + (report[collection.report].updated > 0 ? 1 : 0);
      return { body: withoutVersion(row), version };
    },

    async remove(principal: Principal | null, id: string, ifMatch: number[] | null): Promise<void> {
      await edits.editCatalog(
        principal,
        await ownerOf(id),
        (d) => {
          const row = find(rows(d), id, what);
          checkVersion(ifMatch, row.version ?? 1);
          collection.release?.(d, row);
          const all = rows(d);
          all.splice(all.indexOf(row), 1);
        },
        null,
        audit('deleted', id),
      );
    },
  };
}

export type CollectionService<R extends Row, Create, Patch, Query extends PageQuery = PageQuery> = ReturnType<
  typeof collectionService<R, Create, Patch, Query>
>;
