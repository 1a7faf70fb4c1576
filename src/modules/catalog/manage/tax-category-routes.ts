// HTTP surface of tax categories. They carry no version: no ETag, no If-Match, no get by id.
import { problems } from '../../../platform/http/schema.js';
import { access, RULES } from './access.js';
import { CreateTaxCategoryBody, TaxCategory, TaxCategoryPage, UpdateTaxCategoryBody } from './menu-schema.js';
import { NO_CONTENT, SIGNED, TAGS, type ManagementApp } from './route-parts.js';
import { IdParams, ListQuery, OrganizationParams } from './schema-fields.js';
import type { ManagementService } from './service.js';

export function taxCategoryRoutes(app: ManagementApp, taxCategories: ManagementService['taxCategories']): void {
  app.get(
    '/organizations/:organizationId/tax-categories',
    {
      config: { access: access(RULES.readCatalog) },
      schema: {
        operationId: 'listTaxCategories',
        summary: 'Tax categories of the brand',
        tags: TAGS,
        ...SIGNED,
        params: OrganizationParams,
        querystring: ListQuery,
        response: { 200: TaxCategoryPage, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => taxCategories.list(request.principal, request.params.organizationId, request.query),
  );
  app.post(
    '/organizations/:organizationId/tax-categories',
    {
      config: { access: access(RULES.editCatalog), idempotency: 'optional' },
      schema: {
        operationId: 'createTaxCategory',
        summary: 'Add a tax category (stores map it to a rate)',
        tags: TAGS,
        ...SIGNED,
        params: OrganizationParams,
        body: CreateTaxCategoryBody,
        response: { 201: TaxCategory, ...problems(400, 401, 403, 404, 415) },
      },
    },
    async (request, reply) => {
      const { body: tax } = await taxCategories.create(request.principal, request.params.organizationId, request.body);
      return reply.code(201).header('location', `/v1/tax-categories/${tax.id}`).send(tax);
    },
  );
  app.patch(
    '/tax-categories/:id',
    {
      config: { access: access(RULES.editCatalog) },
      schema: {
        operationId: 'updateTaxCategory',
        summary: 'Rename a tax category or change its code',
        tags: TAGS,
        ...SIGNED,
        params: IdParams,
        body: UpdateTaxCategoryBody,
        response: { 200: TaxCategory, ...problems(400, 401, 403, 404, 415) },
      },
    },
    async (request) => (await taxCategories.update(request.principal, request.params.id, request.body, null)).body,
  );
  app.delete(
    '/tax-categories/:id',
    {
      config: { access: access(RULES.editCatalog) },
      schema: {
        operationId: 'deleteTaxCategory',
        summary: 'Delete a tax category no item uses (409 TAX_CATEGORY_IN_USE otherwise)',
        tags: TAGS,
        ...SIGNED,
        params: IdParams,
        response: { ...NO_CONTENT, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await taxCategories.remove(request.principal, request.params.id, null);
      return reply.code(204).send(null);
    },
  );
}
