// OpenAPI 3.1 generated from the route schemas, served at /openapi.json, with the interactive
// reference at /docs. Registered before any module so every route is collected.
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import scalar from '@scalar/fastify-api-reference';
import { htmlPolicy, inlineScriptHashes, isHtml } from './security-headers.js';
import { documentCommonResponses, RATE_LIMIT_HEADERS } from './docs-responses.js';

export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Brigade API',
        version,
        description:
          'Ordering and fulfilment backend for restaurant chains. Errors are RFC 9457 problems with a stable `code`.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'An access token from POST /v1/auth/login, or an API key (bk_live_…)',
          },
        },
        headers: RATE_LIMIT_HEADERS,
      },
      tags: [
        { name: 'auth', description: 'Sign-up, sign-in, sessions' },
        { name: 'me', description: 'The caller' },
        { name: 'organizations', description: 'Brands, their staff and API keys' },
        { name: 'stores', description: 'Locations, hours and tables' },
        { name: 'catalog', description: 'Menus, items and modifiers; storefront menu, search and GraphQL' },
        { name: 'inventory', description: 'Tracked stock per store and its ledger' },
        { name: 'ordering', description: 'Quotes, orders, kitchen slots, the order state machine and live tracking' },
        {
          name: 'payments',
          description: 'Payments and refunds, store payment settings, provider credentials and webhooks',
        },
        { name: 'marketing', description: 'Promotions, coupon codes, combos and flash sales' },
        {
          name: 'loyalty',
          description: 'The membership program: terms, tiers, rewards, members’ points and the liability report',
        },
        { name: 'reviews', description: 'Reviews of fulfilled orders, their threads, votes, reports and moderation' },
        { name: 'delivery', description: 'Where stores deliver: zones, fees, minimums and held delivery quotes' },
        {
          name: 'webhooks',
          description: 'Outgoing webhooks: the event catalogue, endpoints, secrets, replays and attempt logs',
        },
        {
          name: 'notifications',
          description: 'Email and SMS to guests: templates per brand and language, previews, guests’ preferences',
        },
        { name: 'platform', description: 'Health, operations and the invariant checker' },
      ],
    },
    // What holds for every operation (500, 401 when it needs credentials, the rate-limit headers),
    // added here rather than on each route: see docs-responses.ts.
    ...documentCommonResponses,
    refResolver: {
      // Shared schemas keep their $id as the component name (#/components/schemas/Problem).
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });

  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());

  await app.register(async (docs) => {
    // The reference UI is public documentation; its routes are declared so explicitly.
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, access: 'public' };
    });
    // The reference page: the library's script from /docs/js/scalar.js and one inline script that
    // starts it with the fixed configuration below, allowed by its hash; the UI inserts its own
    // style elements (inline styles allowed). No fonts from Scalar's CDN: nothing leaves the origin.
    const policies = new Map<string, string>();
    docs.addHook('onSend', async (_request, reply, payload) => {
      if (typeof payload !== 'string' || !isHtml(reply.getHeader('content-type'))) return payload;
      let policy = policies.get(payload);
      if (policy === undefined) {
        policy = htmlPolicy({ scriptHashes: inlineScriptHashes(payload), inlineStyles: true });
        // The page is the same on every request; a bound keeps a surprise from growing the map.
        if (policies.size < 16) policies.set(payload, policy);
      }
      reply.header('content-security-policy', policy);
      return payload;
    });
    await docs.register(scalar, {
      routePrefix: '/docs',
      configuration: { url: '/openapi.json', withDefaultFonts: false },
    });
  });
}
