// HTTP surface of delivery zones: anyone lists where a store delivers; managers draw, replace and
// remove zones. Schemas in, one service call, schema out.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ifMatchVersions } from '../../platform/http/conditional.js';
import { IfMatchHeaders, NO_CONTENT, problems } from '../../platform/http/schema.js';
import { access, RULES } from './access.js';
import { StoreParams, Zone, ZoneBody, ZoneList, ZoneParams } from './schema.js';
import type { ZoneManagement } from './zones.js';

const SIGNED = { security: [{ bearer: [] }] };
const TAGS = ['delivery'];
const etagOf = (version: number) => `"${version}"`;
const RULES_NOTE =
  'The store needs a location first (422 `STORE_LOCATION_REQUIRED`). Money is in the store’s currency (422 `CURRENCY_MISMATCH`). A polygon that crosses itself, is not closed, has a hole outside it, does not contain the store or crosses ±180°, and a fee that leaves part of the zone or of the baskets without a price (distance tiers short of the edge, basket tiers not starting at 0), are 422 `DELIVERY_ZONE_INVALID` with every problem in `errors`.';

export function deliveryRoutes(zones: ZoneManagement): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    const zoneUrl = (storeId: string, zoneId: string) => `/v1/stores/${storeId}/delivery-zones/${zoneId}`;

    app.get(
      '/stores/:storeId/delivery-zones',
      {
        config: { access: 'public' },
        schema: {
          operationId: 'listDeliveryZones',
          summary: 'Where a store delivers, for how much and from what order value (anyone)',
          description:
            'The zones in force, highest priority first (where zones overlap, the first that contains an address applies). A store without zones delivers anywhere at no fee.',
          tags: TAGS,
          params: StoreParams,
          response: { 200: ZoneList, ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        const list = await zones.list(request.params.storeId);
        return reply.header('cache-control', 'public, max-age=60').send(list);
      },
    );

    app.post(
      '/stores/:storeId/delivery-zones',
      {
        config: { access: access(RULES.editZones) },
        schema: {
          operationId: 'createDeliveryZone',
          summary: 'Draw a delivery zone (owners, managers of the org or that store)',
          description: `Answers 201 with the zone, its ETag and Location; audited. ${RULES_NOTE}`,
          tags: TAGS,
          ...SIGNED,
          params: StoreParams,
          body: ZoneBody,
          response: { 201: Zone, ...problems(400, 401, 403, 404, 415, 422) },
        },
      },
      async (request, reply) => {
        const zone = await zones.create(request.principal, request.params.storeId, request.body);
        return reply
          .code(201)
          .header('location', zoneUrl(zone.store_id, zone.id))
          .header('etag', etagOf(zone.version))
          .send(zone);
      },
    );

    app.put(
      '/stores/:storeId/delivery-zones/:zoneId',
      {
        config: { access: access(RULES.editZones) },
        schema: {
          operationId: 'replaceDeliveryZone',
          summary: 'Replace a delivery zone with a new version (owners, managers)',
          description: `Honours If-Match (412 when stale). Orders and held quotes keep the version they were priced on. ${RULES_NOTE}`,
          tags: TAGS,
          ...SIGNED,
          params: ZoneParams,
          headers: IfMatchHeaders,
          body: ZoneBody,
          response: { 200: Zone, ...problems(400, 401, 403, 404, 412, 415, 422) },
        },
      },
      async (request, reply) => {
        const { storeId, zoneId } = request.params;
        const zone = await zones.replace(
          request.principal,
          storeId,
          zoneId,
          request.body,
          ifMatchVersions(request.headers['if-match']),
        );
        return reply.header('etag', etagOf(zone.version)).send(zone);
      },
    );

    app.delete(
      '/stores/:storeId/delivery-zones/:zoneId',
      {
        config: { access: access(RULES.editZones) },
        schema: {
          operationId: 'removeDeliveryZone',
          summary: 'Stop delivering to a zone (owners, managers)',
          description:
            'Honours If-Match. Held quotes priced on it are still honoured until they expire; new baskets there are 422 `OUTSIDE_DELIVERY_AREA` unless another zone takes them.',
          tags: TAGS,
          ...SIGNED,
          params: ZoneParams,
          headers: IfMatchHeaders,
          response: { ...NO_CONTENT, ...problems(400, 401, 403, 404, 412) },
        },
      },
      async (request, reply) => {
        const { storeId, zoneId } = request.params;
        await zones.remove(request.principal, storeId, zoneId, ifMatchVersions(request.headers['if-match']));
        return reply.code(204).send(null);
      },
    );
  };
}
