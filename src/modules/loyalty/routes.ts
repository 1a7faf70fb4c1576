// HTTP surface of loyalty: the program's public terms, the owner's terms and the managers'
// rewards (here), and the member side, the staff's member routes and the liability report
// (member-routes.ts). Schemas in, one service call, schema out.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Db } from '../../platform/db/index.js';
import { problems, NO_CONTENT } from '../../platform/http/schema.js';
import type { CatalogApi } from '../catalog/index.js';
import type { TenancyApi } from '../tenancy/index.js';
import { access, RULES } from './access.js';
import { createLiabilityReport } from './liability.js';
import { memberRoutes } from './member-routes.js';
import { createMemberService } from './members.js';
import { etagOf, ifMatchTags } from './present.js';
import { createProgramService, PROGRAM_PROBLEMS } from './program.js';
import { createRewardAdmin } from './reward-admin.js';
import {
  CreateRewardBody,
  IfMatchHeaders,
  OrganizationParams,
  PatchRewardBody,
  ProgramSchema,
  PutProgramBody,
  RewardListQuery,
  RewardPage,
  RewardParams,
  RewardSchema,
} from './schema.js';

export interface LoyaltyRoutesDeps {
  db: Db;
  clock: () => Date;
  catalog: { api: Pick<CatalogApi, 'catalogIdsOf'> };
  /** The stores' currencies, for the liability report's value (without it: no value). */
  tenancy?: { api: Pick<TenancyApi, 'storeIdsOf' | 'findStore'> };
}

const SIGNED = { security: [{ bearer: [] }] };
export const TAGS = ['loyalty'];
/** The public terms change only by the owner's writes: cached briefly by browsers and CDNs. */
const TERMS_MAX_AGE = 60;

const PROGRAM_CODES = Object.entries(PROGRAM_PROBLEMS)
  .map(([code, text]) => `\`${code}\` (${text})`)
  .join(', ');
const rewardUrl = (organizationId: string, id: string) => `/v1/organizations/${organizationId}/loyalty/rewards/${id}`;
const EFFECT_NOTE =
  'A `free_item` effect frees one unit of one of its items (the dearest in the basket); its item ids must be the brand’s, else 422 `INVALID_REWARD` with `UNKNOWN_ITEM` at each pointer. An `amount_off` comes off the food, in minor units of the store’s currency. `cost` (minor units per redemption) values points in the liability report.';

export function loyaltyRoutes(deps: LoyaltyRoutesDeps): FastifyPluginAsync {
  const program = createProgramService({ db: deps.db, catalog: deps.catalog });
  const rewards = createRewardAdmin({ db: deps.db, catalog: deps.catalog });
  const members = createMemberService({ db: deps.db, clock: deps.clock });
  const liability = createLiabilityReport({ db: deps.db, clock: deps.clock, tenancy: deps.tenancy });
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/organizations/:organizationId/loyalty',
      {
        config: { access: 'public' },
        schema: {
          operationId: 'getLoyaltyProgram',
          summary: 'The brand’s loyalty program: its terms, tiers and active rewards (anyone)',
          description: `404 \`LOYALTY_PROGRAM_NOT_FOUND\` when the brand runs none. An inactive program is shown with \`active: false\` (nobody can join it, orders earn nothing). The ETag is the program's version, for If-Match on PUT; cached ${TERMS_MAX_AGE} s.`,
          tags: TAGS,
          params: OrganizationParams,
          response: { 200: ProgramSchema, ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        const terms = await program.publicTerms(request.params.organizationId);
        return reply
          .header('etag', etagOf(terms.version))
          .header('cache-control', `public, max-age=${TERMS_MAX_AGE}`)
          .send(terms);
      },
    );

    app.put(
      '/organizations/:organizationId/loyalty',
      {
        config: { access: access(RULES.editProgram) },
        schema: {
          operationId: 'putLoyaltyProgram',
          summary: 'Create or replace the brand’s loyalty program (owners)',
          description: `201 when created, 200 when replaced. Honours If-Match with the version (412 \`PRECONDITION_FAILED\` when stale, or when there is no program yet to match). Members keep their points and tier; what changes applies to points earned from then on. Terms that fit the schema but not their rules are 422 \`INVALID_LOYALTY_PROGRAM\`, listing every problem in \`errors\` with a JSON pointer and its own code: ${PROGRAM_CODES}.`,
          tags: TAGS,
          ...SIGNED,
          params: OrganizationParams,
          headers: IfMatchHeaders,
          body: PutProgramBody,
          response: {
            200: ProgramSchema,
            201: ProgramSchema,
            ...problems(400, 401, 403, 404, 409, 412, 415, 422),
          },
        },
      },
      async (request, reply) => {
        const { organizationId } = request.params;
        const put = await program.put(
          request.principal,
          organizationId,
          request.body,
          ifMatchTags(request.headers['if-match']),
        );
        if (put.created) reply.code(201).header('location', `/v1/organizations/${organizationId}/loyalty`);
        return reply
          .header('etag', etagOf(put.program.version))
          .header('cache-control', 'private, no-store')
          .send(put.program);
      },
    );

    app.get(
      '/organizations/:organizationId/loyalty/rewards',
      {
        config: { access: access(RULES.readRewards) },
        schema: {
          operationId: 'listLoyaltyRewards',
          summary: 'The program’s rewards as managed, inactive ones and costs included, in id order (owners, managers)',
          description: 'Withdrawn (deleted) rewards are left out. Keyset pages.',
          tags: TAGS,
          ...SIGNED,
          params: OrganizationParams,
          querystring: RewardListQuery,
          response: { 200: RewardPage, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const page = await rewards.list(request.principal, request.params.organizationId, request.query);
        return reply.header('cache-control', 'private, no-store').send(page);
      },
    );

    app.post(
      '/organizations/:organizationId/loyalty/rewards',
      {
        config: { access: access(RULES.editRewards), idempotency: 'optional' },
        schema: {
          operationId: 'createLoyaltyReward',
          summary: 'Add a reward to the program (owners, managers)',
          description: `Answers 201 with the reward, its ETag and Location; 404 \`LOYALTY_PROGRAM_NOT_FOUND\` before the program exists. ${EFFECT_NOTE}`,
          tags: TAGS,
          ...SIGNED,
          params: OrganizationParams,
          body: CreateRewardBody,
          response: { 201: RewardSchema, ...problems(400, 401, 403, 404, 409, 415, 422) },
        },
      },
      async (request, reply) => {
        const { organizationId } = request.params;
        const created = await rewards.create(request.principal, organizationId, request.body);
        return reply
          .code(201)
          .header('location', rewardUrl(organizationId, created.reward.id))
          .header('etag', etagOf(created.tag))
          .header('cache-control', 'private, no-store')
          .send(created.reward);
      },
    );

    app.get(
      '/organizations/:organizationId/loyalty/rewards/:rewardId',
      {
        config: { access: access(RULES.readRewards) },
        schema: {
          operationId: 'getLoyaltyReward',
          summary: 'A reward with its ETag (owners, managers)',
          description: 'Withdrawn rewards, and rewards of another brand, are 404.',
          tags: TAGS,
          ...SIGNED,
          params: RewardParams,
          response: { 200: RewardSchema, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const { organizationId, rewardId } = request.params;
        const found = await rewards.get(request.principal, organizationId, rewardId);
        return reply.header('etag', etagOf(found.tag)).header('cache-control', 'private, no-store').send(found.reward);
      },
    );

    app.patch(
      '/organizations/:organizationId/loyalty/rewards/:rewardId',
      {
        config: { access: access(RULES.editRewards) },
        schema: {
          operationId: 'updateLoyaltyReward',
          summary: 'Change a reward (owners, managers)',
          description: `Fields given replace the old ones (\`effect\` whole). Honours If-Match (412 when stale). Orders already holding the reward keep what they were priced with. ${EFFECT_NOTE}`,
          tags: TAGS,
          ...SIGNED,
          params: RewardParams,
          headers: IfMatchHeaders,
          body: PatchRewardBody,
          response: { 200: RewardSchema, ...problems(400, 401, 403, 404, 409, 412, 415, 422) },
        },
      },
      async (request, reply) => {
        const { organizationId, rewardId } = request.params;
        const updated = await rewards.update(
          request.principal,
          organizationId,
          rewardId,
          request.body,
          ifMatchTags(request.headers['if-match']),
        );
        return reply
          .header('etag', etagOf(updated.tag))
          .header('cache-control', 'private, no-store')
          .send(updated.reward);
      },
    );

    app.delete(
      '/organizations/:organizationId/loyalty/rewards/:rewardId',
      {
        config: { access: access(RULES.editRewards) },
        schema: {
          operationId: 'deleteLoyaltyReward',
          summary: 'Withdraw a reward (owners, managers)',
          description:
            'It is never offered again and answers 404 from then on; orders already holding it still spend it when fulfilled, and its redemptions stay in the ledger. Honours If-Match.',
          tags: TAGS,
          ...SIGNED,
          params: RewardParams,
          headers: IfMatchHeaders,
          response: { ...NO_CONTENT, ...problems(400, 401, 403, 404, 409, 412) },
        },
      },
      async (request, reply) => {
        const { organizationId, rewardId } = request.params;
        await rewards.remove(request.principal, organizationId, rewardId, ifMatchTags(request.headers['if-match']));
        return reply.code(204).send(null);
      },
    );

    await app.register(memberRoutes({ members, liability }));
  };
}
