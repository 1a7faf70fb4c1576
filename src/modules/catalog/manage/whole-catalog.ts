// The brand catalog as one document: export, import (over HTTP, or inside the caller's
// transaction for the demo seed and test factories), and the ids of the brand's rows by ref.
import { recordAudit } from '../../../platform/audit/index.js';
import type { Principal } from '../../../platform/auth/principal.js';
import { inTransaction, type Db, type Tx } from '../../../platform/db/index.js';
import type { FieldError } from '../../../platform/http/errors.js';
import type { Invalidation } from '../storefront.js';
import { assertRule, RULES } from './access.js';
import { checkVersion, type CatalogEdits } from './catalog-edit.js';
import { catalogRepo as repo } from './catalog-repo.js';
import type { CatalogDocument, ImportReport } from './document-schema.js';
import { catalogToDocument, documentToCatalog } from './import-export.js';
import { KINDS, totalChanges, type ChangeReport } from './model.js';
import type { Problem } from './validate.js';

function toReport(report: ChangeReport, version: number): ImportReport {
  return {
    catalog_version: version,
    changed: totalChanges(report) > 0,
    ...Object.fromEntries(KINDS.map((kind) => [kind, report[kind]])),
  } as ImportReport;
}

export function wholeCatalogService(
  deps: { db: Db; invalidate(change: Invalidation): Promise<void> },
  edits: CatalogEdits,
) {
  const { db } = deps;

  async function importIn(trx: Tx, organizationId: string, document: CatalogDocument): Promise<ImportReport> {
    // Ids are resolved against the catalog as locked by editCatalogIn, so a concurrent write
    // cannot slip in between planning and applying.
    let problems: FieldError[] = [];
    let pathOf: (problem: Problem) => string = (p) => p.pointer;
    const outcome = await edits.editCatalogIn(
      trx,
      organizationId,
      (draft) => {
        const plan = documentToCatalog(document, draft, '/body');
        problems = plan.problems;
        pathOf = plan.pathOf;
        Object.assign(draft, plan.catalog);
      },
      (found) => [...problems, ...found.map((p) => ({ path: pathOf(p), message: p.message }))],
    );
    return toReport(outcome.report, outcome.version);
  }

  return {
    async exportCatalog(
      principal: Principal | null,
      organizationId: string,
    ): Promise<{ document: CatalogDocument; version: number }> {
      const catalog = await edits.readCatalog(principal, organizationId);
      return { document: catalogToDocument(catalog), version: await repo.catalogVersion(db, organizationId) };
    },

    async importCatalog(
      principal: Principal | null,
      organizationId: string,
      document: CatalogDocument,
      ifMatch: number[] | null,
    ): Promise<ImportReport> {
      assertRule(principal, RULES.editCatalog, { organizationId }, 'organization');
      const report = await inTransaction(db, async (trx) => {
        checkVersion(ifMatch, await repo.lockCatalog(trx, organizationId));
        const imported = await importIn(trx, organizationId, document);
        // The document itself is the brand's whole catalog: the entry keeps what the import did to it.
        if (imported.changed)
          await recordAudit(trx, {
            organizationId,
            action: 'catalog.catalog.imported',
            target: { type: 'catalog', id: organizationId },
            after: imported,
          });
        return imported;
      });
      if (report.changed) await deps.invalidate({ organizationId, storeIds: null });
      return report;
    },

    /** For the demo seed and factories: joins the caller's transaction (no access check, no cache drop). */
    importIn,

    /** Ids of the brand's catalog by ref: options as "groupRef/optionRef", variants as "itemRef/variantRef", tax categories by code. */
    async idsByRef(organizationId: string, trx?: Tx) {
      const catalog = await repo.loadCatalog(trx ?? db, organizationId);
      const refs = <T extends { id: string; ref: string }>(rows: T[]) =>
        Object.fromEntries(rows.map((row) => [row.ref, row.id]));
      return {
        tax_categories: Object.fromEntries(catalog.taxCategories.map((t) => [t.code, t.id])),
        categories: refs(catalog.categories),
        items: refs(catalog.items),
        variants: Object.fromEntries(catalog.items.flatMap((i) => i.variants.map((v) => [`${i.ref}/${v.ref}`, v.id]))),
        modifier_groups: refs(catalog.groups),
        options: Object.fromEntries(catalog.groups.flatMap((g) => g.options.map((o) => [`${g.ref}/${o.ref}`, o.id]))),
        menus: refs(catalog.menus),
      };
    },
  };
}
