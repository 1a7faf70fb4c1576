// HTTP surface of the whole brand catalog as one document: export (with the catalog version as
// ETag) and import (If-Match refuses overwriting a newer catalog).
import { problems } from '../../../platform/http/schema.js';
import { access, RULES } from './access.js';
import { CatalogDocument, ImportReport } from './document-schema.js';
import { ifMatchVersions } from '../../../platform/http/conditional.js';
import { etagOf, SIGNED, TAGS, type ManagementApp } from './route-parts.js';
import { IfMatchHeaders, OrganizationParams } from './schema-fields.js';
import type { ManagementService } from './service.js';

export function wholeCatalogRoutes(app: ManagementApp, service: ManagementService): void {
  app.get(
    '/organizations/:organizationId/catalog',
    {
      config: { access: access(RULES.readCatalog) },
      schema: {
        operationId: 'exportCatalog',
        summary: 'Export the whole brand catalog as one JSON document (refs, not ids)',
        description:
          'The ETag is the brand’s catalog version; send it as If-Match on import to refuse overwriting a newer catalog.',
        tags: TAGS,
        ...SIGNED,
        params: OrganizationParams,
        response: { 200: CatalogDocument, ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { document, version } = await service.exportCatalog(request.principal, request.params.organizationId);
      return reply.header('etag', etagOf(version)).send(document);
    },
  );

  app.put(
    '/organizations/:organizationId/catalog',
    {
      config: { access: access(RULES.editCatalog) },
      bodyLimit: 10 * 1024 * 1024,
      schema: {
        operationId: 'importCatalog',
        summary: 'Import a whole brand catalog: validated, applied in one transaction, with a report of what changed',
        description:
          'Matches by `ref` (tax categories by `code`): a known ref keeps its id, a new one is created, one the document leaves out is deleted. All or nothing: any problem (every one is listed in `errors`) changes nothing. Importing the same document again changes nothing and reports zero changes.',
        tags: TAGS,
        ...SIGNED,
        params: OrganizationParams,
        headers: IfMatchHeaders,
        body: CatalogDocument,
        response: { 200: ImportReport, ...problems(400, 401, 403, 404, 409, 412, 413, 415) },
      },
    },
    async (request, reply) => {
      const report = await service.importCatalog(
        request.principal,
        request.params.organizationId,
        request.body,
        ifMatchVersions(request.headers['if-match']),
      );
      return reply.header('etag', etagOf(report.catalog_version)).send(report);
    },
  );
}
