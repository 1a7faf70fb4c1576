// HTTP surface of the member side (a signed-in customer's own memberships), the staff's member
// lookup and adjustments, and the liability report.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { problems, NO_CONTENT } from '../../platform/http/schema.js';
import { access, RULES } from './access.js';
import type { LiabilityReport } from './liability.js';
import {
  ActivityPage,
  ActivityQuery,
  AdjustmentBody,
  LiabilitySchema,
  MemberParams,
  MemberSchema,
  MyProgramParams,
  StandingList,
  StandingSchema,
} from './member-schema.js';
import type { MemberService } from './members.js';
import { OrganizationParams } from './schema.js';
import { EXPIRING_DAYS } from './standing.js';

const SIGNED = { security: [{ bearer: [] }] };
const TAGS = ['loyalty'];
const PRIVATE = 'private, no-store';

const STANDING_NOTE = `\`points_available\` is what can be spent now: the balance minus points still in their lock period (\`points_pending\`; points whose lock period has ended count as available at once) and points held by rewards on open orders (\`points_held\`). \`next_tier.remaining\` is measured on the program's qualifying measure over its rolling window. \`expiring\` lists the points left of lots expiring in the next ${EXPIRING_DAYS} days, by UTC date.`;

export function memberRoutes(deps: { members: MemberService; liability: LiabilityReport }): FastifyPluginAsync {
  const { members, liability } = deps;
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/me/loyalty',
      {
        config: { access: 'signed_in' },
        schema: {
          operationId: 'listMyLoyalty',
          summary: 'The caller’s loyalty memberships with their points and tiers (signed in)',
          description: `Active memberships, oldest first. ${STANDING_NOTE}`,
          tags: TAGS,
          ...SIGNED,
          response: { 200: StandingList, ...problems(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const data = await members.mine(request.principal);
        return reply.header('cache-control', PRIVATE).send({ data });
      },
    );

    app.get(
      '/me/loyalty/:organizationId',
      {
        config: { access: 'signed_in' },
        schema: {
          operationId: 'getMyLoyalty',
          summary: 'The caller’s standing in one brand’s program (signed in)',
          description: `Also after leaving (\`status: left\`): the points stay for a return. 404 \`LOYALTY_PROGRAM_NOT_FOUND\` or \`LOYALTY_MEMBER_NOT_FOUND\`. ${STANDING_NOTE}`,
          tags: TAGS,
          ...SIGNED,
          params: MyProgramParams,
          response: { 200: StandingSchema, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const standing = await members.myStanding(request.principal, request.params.organizationId);
        return reply.header('cache-control', PRIVATE).send(standing);
      },
    );

    app.post(
      '/me/loyalty/:organizationId/join',
      {
        config: { access: 'signed_in', idempotency: 'optional' },
        schema: {
          operationId: 'joinLoyalty',
          summary: 'Join the brand’s loyalty program (signed in)',
          description:
            '201 with the standing when the caller joins (again, after leaving: with the points they had), 200 when already a member; consent is recorded as `join`. New members start at the first tier. 404 `LOYALTY_PROGRAM_NOT_FOUND` when the brand runs no active program.',
          tags: TAGS,
          ...SIGNED,
          params: MyProgramParams,
          response: { 200: StandingSchema, 201: StandingSchema, ...problems(400, 401, 403, 404, 409, 422) },
        },
      },
      async (request, reply) => {
        const { organizationId } = request.params;
        const joined = await members.join(request.principal, organizationId);
        if (joined.created) reply.code(201).header('location', `/v1/me/loyalty/${organizationId}`);
        return reply.header('cache-control', PRIVATE).send(joined.standing);
      },
    );

    app.post(
      '/me/loyalty/:organizationId/leave',
      {
        config: { access: 'signed_in' },
        schema: {
          operationId: 'leaveLoyalty',
          summary: 'Leave the brand’s loyalty program (signed in)',
          description:
            'Orders earn no points from then on; the points and the ledger stay, for a return. Leaving twice is a 204 again. 404 `LOYALTY_MEMBER_NOT_FOUND` when the caller never joined.',
          tags: TAGS,
          ...SIGNED,
          params: MyProgramParams,
          response: { ...NO_CONTENT, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await members.leave(request.principal, request.params.organizationId);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/me/loyalty/:organizationId/activity',
      {
        config: { access: 'signed_in' },
        schema: {
          operationId: 'listMyLoyaltyActivity',
          summary: 'The caller’s points ledger at a brand, newest first (signed in)',
          description:
            'Every entry: earn, redeem, adjust, expire, clawback; `points` signed. Credits carry the `available_at` and `expires_at` of their lot. Keyset pages by entry id (UUIDv7, so time order): stable under new entries. 404 `LOYALTY_MEMBER_NOT_FOUND` when the caller never joined; 400 `INVALID_CURSOR`.',
          tags: TAGS,
          ...SIGNED,
          params: MyProgramParams,
          querystring: ActivityQuery,
          response: { 200: ActivityPage, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const page = await members.activity(request.principal, request.params.organizationId, request.query);
        return reply.header('cache-control', PRIVATE).send(page);
      },
    );

    app.get(
      '/organizations/:organizationId/loyalty/members/:customerId',
      {
        config: { access: access(RULES.lookUpMembers) },
        schema: {
          operationId: 'getLoyaltyMember',
          summary: 'A member’s standing and latest tier changes, by customer id (owners, managers, staff)',
          description: `404 \`LOYALTY_MEMBER_NOT_FOUND\` when the customer never joined (\`LOYALTY_PROGRAM_NOT_FOUND\` without a program). ${STANDING_NOTE}`,
          tags: TAGS,
          ...SIGNED,
          params: MemberParams,
          response: { 200: MemberSchema, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const { organizationId, customerId } = request.params;
        const member = await members.lookUp(request.principal, organizationId, customerId);
        return reply.header('cache-control', PRIVATE).send(member);
      },
    );

    app.post(
      '/organizations/:organizationId/loyalty/members/:customerId/adjustments',
      {
        config: { access: access(RULES.adjustPoints), idempotency: 'required' },
        schema: {
          operationId: 'adjustLoyaltyPoints',
          summary: 'Credit or take a member’s points, with a reason (owners, managers)',
          description:
            'Requires `Idempotency-Key` (a retried adjustment must not count twice; 400 `IDEMPOTENCY_KEY_REQUIRED`). Positive `points` credit a new lot, spendable at once, expiring like earned points; negative ones take from the oldest lots, points in their lock period included, but never what rewards on open orders hold: all of it or nothing (422 `ADJUSTMENT_EXCEEDS_BALANCE`). `points: 0` is 400. Recorded in the ledger and the audit log with the actor and the reason. Answers the member as they stand after it.',
          tags: TAGS,
          ...SIGNED,
          params: MemberParams,
          body: AdjustmentBody,
          response: { 200: MemberSchema, ...problems(400, 401, 403, 404, 409, 415, 422) },
        },
      },
      async (request, reply) => {
        const { organizationId, customerId } = request.params;
        const member = await members.adjust(
          request.principal,
          organizationId,
          customerId,
          request.body,
          request.idempotency,
        );
        return reply.header('cache-control', PRIVATE).send(member);
      },
    );

    app.get(
      '/organizations/:organizationId/loyalty/liability',
      {
        config: { access: access(RULES.readLiability) },
        schema: {
          operationId: 'getLoyaltyLiability',
          summary: 'Points the brand owes its members, and their value (owners, managers)',
          description:
            'From the members’ counters and the open lots, as of now. `points_outstanding` is every member’s balance (members who left keep theirs for a return); `points_pending` and `points_held` are parts of it. `value` prices the outstanding points at the cheapest active reward’s cost per point (`valuation`: its cost ÷ its points, the lowest), floored to a minor unit, in the currency of the brand’s stores; null without an active reward, or when the stores use several currencies (`currencies` lists them). `expiring_30_days`: points left of lots expiring in the next 30 days. 404 `LOYALTY_PROGRAM_NOT_FOUND`.',
          tags: TAGS,
          ...SIGNED,
          params: OrganizationParams,
          response: { 200: LiabilitySchema, ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const report = await liability.report(request.principal, request.params.organizationId);
        return reply.header('cache-control', PRIVATE).send(report);
      },
    );
  };
}
