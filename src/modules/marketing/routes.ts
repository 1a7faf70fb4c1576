// HTTP surface of promotion management (owners and org-wide managers of the organization in the
// path) and the public list of what a store's customers can use now. Schemas in, one service
// call, schema out.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ifMatchVersions } from '../../platform/http/conditional.js';
import { problems } from '../../platform/http/schema.js';
import { access, RULES } from './access.js';
import { etagOf, type PromotionManagement } from './management.js';
import { CSV_COLUMNS } from './present.js';
import { RULE_PROBLEMS } from './rules.js';
import {
  CodeListQuery,
  CreateCodesBody,
  CreatedCodes,
  PromotionCodePage,
  PromotionCodeSchema,
} from './codes-schema.js';
import {
  CodeParams,
  CreatePromotionBody,
  IfMatchHeaders,
  OrganizationParams,
  PatchPromotionBody,
  PromotionListQuery,
  PromotionPage,
  PromotionParams,
  PromotionSchema,
  StoreParams,
  StorePromotionList,
} from './schema.js';

const SIGNED = { security: [{ bearer: [] }] };
const TAGS = ['marketing'];
const NO_CONTENT = { 204: Type.Null({ description: 'Done; no body' }) };
/** The store's list changes with the clock and with every edit: cached briefly. */
const STORE_LIST_MAX_AGE = 30;

export interface MarketingRoutesDeps {
  management: PromotionManagement;
}

const RULE_CODES = Object.entries(RULE_PROBLEMS)
  .map(([code, text]) => `\`${code}\` (${text})`)
  .join(', ');
const VALIDATION_NOTE = `A promotion that fits the schema but not its rules is 422 \`INVALID_PROMOTION\`, listing every problem in \`errors\` with a JSON pointer and its own code: ${RULE_CODES}. Amounts are integer minor units of the currency of the store where the promotion is used; rates are basis points (1000 = 10%). \`segments\` and \`per_customer_limit\` only ever match a signed-in customer.`;

const promotionUrl = (organizationId: string, id: string) => `/v1/organizations/${organizationId}/promotions/${id}`;

/** CSV when asked for by ?format=csv, or by an Accept that names text/csv and not JSON. */
function wantsCsv(request: FastifyRequest, format: 'json' | 'csv' | undefined): boolean {
  if (format !== undefined) return format === 'csv';
  const accept = request.headers.accept ?? '';
  return /\btext\/csv\b/i.test(accept) && !/\bapplication\/(problem\+)?json\b/i.test(accept);
}

export function marketingRoutes(deps: MarketingRoutesDeps): FastifyPluginAsync {
  const { management } = deps;
  const codes = management.codes;
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/organizations/:organizationId/promotions',
      {
        config: { access: access(RULES.readPromotions) },
        schema: {
          operationId: 'listPromotions',
          summary: 'Promotions of the organization, in id (creation) order (owners, managers)',
          description:
            'Deleted promotions are left out. `usage` is read from the redemption ledger (held and confirmed redemptions).',
          tags: TAGS,
          ...SIGNED,
          params: OrganizationParams,
          querystring: PromotionListQuery,
          response: { 200: PromotionPage, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const page = await management.list(request.principal, request.params.organizationId, request.query);
        return reply.header('cache-control', 'private, no-store').send(page);
      },
    );

    app.post(
      '/organizations/:organizationId/promotions',
      {
        config: { access: access(RULES.editPromotions), idempotency: 'optional' },
        schema: {
          operationId: 'createPromotion',
          summary: 'Create a promotion: automatic, or used with codes (owners, managers)',
          description: `Answers 201 with the promotion, its ETag and Location. ${VALIDATION_NOTE}`,
          tags: TAGS,
          ...SIGNED,
          params: OrganizationParams,
          body: CreatePromotionBody,
          response: { 201: PromotionSchema, ...problems(400, 401, 403, 404, 409, 415, 422) },
        },
      },
      async (request, reply) => {
        const { organizationId } = request.params;
        const promotion = await management.create(request.principal, organizationId, request.body);
        return reply
          .code(201)
          .header('location', promotionUrl(organizationId, promotion.id))
          .header('etag', etagOf(promotion.version))
          .header('cache-control', 'private, no-store')
          .send(promotion);
      },
    );

    app.get(
      '/organizations/:organizationId/promotions/:promotionId',
      {
        config: { access: access(RULES.readPromotions) },
        schema: {
          operationId: 'getPromotion',
          summary: 'A promotion with its usage and its ETag (owners, managers)',
          description:
            '`usage` counts the orders holding or having confirmed a redemption (from the ledger); `codes_count` its codes. Deleted promotions are 404.',
          tags: TAGS,
          ...SIGNED,
          params: PromotionParams,
          response: { 200: PromotionSchema, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const { organizationId, promotionId } = request.params;
        const promotion = await management.get(request.principal, organizationId, promotionId);
        return reply
          .header('etag', etagOf(promotion.version))
          .header('cache-control', 'private, no-store')
          .send(promotion);
      },
    );

    app.patch(
      '/organizations/:organizationId/promotions/:promotionId',
      {
        config: { access: access(RULES.editPromotions) },
        schema: {
          operationId: 'updatePromotion',
          summary: 'Change a promotion (owners, managers)',
          description: `Honours If-Match (412 when stale). Fields given replace the old ones; \`conditions\` and \`effect\` are replaced whole. Setting or changing \`usage_limit\` or \`budget\` recounts the promotion's counters from its ledger under its row lock; a limit below what is already held or confirmed is 422 \`LIMIT_BELOW_USES\` (or \`BUDGET_BELOW_SPENT\`). Turning a code promotion automatic while it has codes is 422 \`PROMOTION_HAS_CODES\`. ${VALIDATION_NOTE}`,
          tags: TAGS,
          ...SIGNED,
          params: PromotionParams,
          headers: IfMatchHeaders,
          body: PatchPromotionBody,
          response: { 200: PromotionSchema, ...problems(400, 401, 403, 404, 409, 412, 415, 422) },
        },
      },
      async (request, reply) => {
        const { organizationId, promotionId } = request.params;
        const promotion = await management.update(
          request.principal,
          organizationId,
          promotionId,
          request.body,
          ifMatchVersions(request.headers['if-match']),
        );
        return reply
          .header('etag', etagOf(promotion.version))
          .header('cache-control', 'private, no-store')
          .send(promotion);
      },
    );

    app.delete(
      '/organizations/:organizationId/promotions/:promotionId',
      {
        config: { access: access(RULES.editPromotions) },
        schema: {
          operationId: 'deletePromotion',
          summary: 'End a promotion (owners, managers)',
          description:
            'It is never applied again and answers 404 from then on; its redemption history stays. Its codes stay issued (a code of a deleted promotion cannot be issued again). Honours If-Match.',
          tags: TAGS,
          ...SIGNED,
          params: PromotionParams,
          headers: IfMatchHeaders,
          response: { ...NO_CONTENT, ...problems(400, 401, 403, 404, 409, 412) },
        },
      },
      async (request, reply) => {
        const { organizationId, promotionId } = request.params;
        await management.remove(
          request.principal,
          organizationId,
          promotionId,
          ifMatchVersions(request.headers['if-match']),
        );
        return reply.code(204).send(null);
      },
    );

    // --- codes -------------------------------------------------------------------------------

    app.get(
      '/organizations/:organizationId/promotions/:promotionId/codes',
      {
        config: { access: access(RULES.readPromotions) },
        schema: {
          operationId: 'listPromotionCodes',
          summary: 'Codes of a promotion, in id order, as JSON pages or as one CSV file (owners, managers)',
          description: `JSON: keyset pages. CSV (\`?format=csv\`, or \`Accept: text/csv\`): every code, columns ${CSV_COLUMNS.join(',')}, with a header line; limit and cursor are ignored.`,
          tags: TAGS,
          ...SIGNED,
          params: PromotionParams,
          querystring: CodeListQuery,
          response: {
            200: {
              description: 'The codes',
              content: {
                'application/json': { schema: PromotionCodePage },
                'text/csv': {
                  schema: Type.String({
                    maxLength: 100_000_000,
                    description: `CSV (RFC 4180): ${CSV_COLUMNS.join(',')}`,
                    examples: [`${CSV_COLUMNS.join(',')}\r\nSPRING-7KQ2M9XA,1,0,2026-03-01T09:00:00Z\r\n`],
                  }),
                },
              },
            },
            ...problems(400, 401, 403, 404),
          },
        },
      },
      async (request, reply) => {
        const { organizationId, promotionId } = request.params;
        reply.header('cache-control', 'private, no-store');
        if (wantsCsv(request, request.query.format)) {
          const csv = await codes.exportCsv(request.principal, organizationId, promotionId);
          return reply
            .header('content-type', 'text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="promotion-${promotionId}-codes.csv"`)
            .send(csv);
        }
        return reply
          .header('content-type', 'application/json; charset=utf-8')
          .send(await codes.list(request.principal, organizationId, promotionId, request.query));
      },
    );

    app.post(
      '/organizations/:organizationId/promotions/:promotionId/codes',
      {
        config: { access: access(RULES.editPromotions), idempotency: 'optional' },
        schema: {
          operationId: 'createPromotionCodes',
          summary: 'Issue one shared code or generate a batch of unique single-use codes (owners, managers)',
          description:
            '`{code, usage_limit?}` issues one shared code (WELCOME10). `{count, prefix?, length?}` generates `count` unique single-use codes (usage_limit 1): `prefix` then `length` random characters from an alphabet without look-alikes (no 0, O, 1, I, L). Codes are unique per organization ignoring case: a taken one is 409 `CODE_TAKEN`. Only `code` promotions have codes (else 422 `PROMOTION_NOT_CODE_KIND`). Answers 201 with the codes created.',
          tags: TAGS,
          ...SIGNED,
          params: PromotionParams,
          body: CreateCodesBody,
          response: { 201: CreatedCodes, ...problems(400, 401, 403, 404, 409, 415, 422) },
        },
      },
      async (request, reply) => {
        const { organizationId, promotionId } = request.params;
        const created = await codes.create(request.principal, organizationId, promotionId, request.body);
        const base = `${promotionUrl(organizationId, promotionId)}/codes`;
        const location = created.shared ? `${base}/${created.codes[0]!.id}` : base;
        return reply
          .code(201)
          .header('location', location)
          .header('cache-control', 'private, no-store')
          .send({ data: created.codes });
      },
    );

    app.get(
      '/organizations/:organizationId/promotions/:promotionId/codes/:codeId',
      {
        config: { access: access(RULES.readPromotions) },
        schema: {
          operationId: 'getPromotionCode',
          summary: 'A code of a promotion, with its uses (owners, managers)',
          description:
            '`uses` counts only for a code with its own `usage_limit` (single-use codes, limited shared codes).',
          tags: TAGS,
          ...SIGNED,
          params: CodeParams,
          response: { 200: PromotionCodeSchema, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const { organizationId, promotionId, codeId } = request.params;
        const code = await codes.get(request.principal, organizationId, promotionId, codeId);
        return reply.header('cache-control', 'private, no-store').send(code);
      },
    );

    app.delete(
      '/organizations/:organizationId/promotions/:promotionId/codes/:codeId',
      {
        config: { access: access(RULES.editPromotions) },
        schema: {
          operationId: 'deletePromotionCode',
          summary: 'Withdraw a code (owners, managers)',
          description: 'The code no longer applies; redemptions made with it keep their history.',
          tags: TAGS,
          ...SIGNED,
          params: CodeParams,
          response: { ...NO_CONTENT, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const { organizationId, promotionId, codeId } = request.params;
        await codes.remove(request.principal, organizationId, promotionId, codeId);
        return reply.code(204).send(null);
      },
    );

    // --- the store's promotions (public) ----------------------------------------------------

    app.get(
      '/stores/:storeId/promotions',
      {
        config: { access: 'public' },
        schema: {
          operationId: 'listStorePromotions',
          summary: 'What a customer can use at the store now, for banners (anyone)',
          description: `Advertised, active promotions of the store's organization that are in their window now, open to this store, in one of their dayparts at the store's local time, with limits not used up; highest priority first, at most 100. \`code\` is the code to type when the promotion has exactly one shared code. Cached for ${STORE_LIST_MAX_AGE} s.`,
          tags: TAGS,
          params: StoreParams,
          response: { 200: StorePromotionList, ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        const data = await management.storePromotions(request.params.storeId);
        return reply.header('cache-control', `public, max-age=${STORE_LIST_MAX_AGE}`).send({ data });
      },
    );
  };
}
