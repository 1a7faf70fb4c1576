// GraphQL across modules. There is one GraphQL endpoint (/graphql, the storefront's mercurius
// instance); a module with GraphQL of its own hands the app a GraphqlExtension (schema text and
// resolvers), and the app passes the extensions, with its authenticate, to the host plugin when
// registering it. So the host module never imports the extending ones (nor they it), and this
// file imports no module.
import type { FastifyRequest } from 'fastify';
import { GraphQLError, type ASTVisitor, type ValidationContext } from 'graphql';
import type { IResolvers } from 'mercurius';
import type { Authenticate } from '../auth/access.js';
import type { Principal } from '../auth/principal.js';
import { UnauthenticatedError } from './errors.js';

export interface GraphqlExtension {
  /** SDL appended to the host's schema: new types, a `type Subscription`, `extend type Query`. */
  typeDefs: string;
  /** Combined with the host's resolvers type by type. */
  resolvers: IResolvers;
}

/** Options of the plugin hosting /graphql, given by the app at registration. */
export interface GraphqlHostOptions {
  extensions?: GraphqlExtension[];
  /** The app's authenticate (the same, rate-limit guarded, as HTTP routes): turns subscriptions on. */
  authenticate?: Authenticate;
  /** Whether the schema answers introspection queries (__schema, __type); see introspectionAllowed. */
  introspection?: boolean;
}

/**
 * Introspection is off in production: the published schema is the contract clients build on, and
 * a production endpoint need not hand an attacker a map of every field. Development and test keep
 * it for tools (GraphiQL, codegen).
 */
export function introspectionAllowed(nodeEnv: 'development' | 'test' | 'production'): boolean {
  return nodeEnv !== 'production';
}

/**
 * A validation rule refusing `__schema` and `__type` anywhere in a document (`__typename` stays
 * allowed: clients need it). It reads the query's syntax only: graphql's own
 * NoSchemaIntrospectionCustomRule inspects schema types with instanceof checks, which fail across
 * the package's ESM and CommonJS copies (this file loads one, mercurius the other).
 */
export function noIntrospectionRule(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      const name = node.name.value;
      if (name === '__schema' || name === '__type')
        context.reportError(
          new GraphQLError(`GraphQL introspection is not allowed here, but the query contained ${name}.`, {
            nodes: node,
          }),
        );
    },
  };
}

/** Resolver maps merged type by type (two extensions may both add fields to Query). */
export function mergeResolvers(maps: IResolvers[]): IResolvers {
  const merged: IResolvers = {};
  for (const map of maps) {
    for (const [type, resolvers] of Object.entries(map)) {
      const existing = merged[type];
      const mergeable = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);
      merged[type] =
        mergeable(existing) && mergeable(resolvers) ? ({ ...existing, ...resolvers } as IResolvers[string]) : resolvers;
    }
  }
  return merged;
}

const BEARER = /^Bearer\s+(\S+)$/i;
/** Where the connection's credentials live in a resolver's context. */
const CALLER = 'brigadeSubscriptionCaller';

interface SubscriptionCaller {
  authenticate(credential: string): Promise<Principal>;
}

function authorizationOf(payload: unknown): unknown {
  return typeof payload === 'object' && payload !== null
    ? (payload as Record<string, unknown>).authorization
    : undefined;
}

/**
 * mercurius `subscription` options. The bearer token travels in the `connection_init` payload,
 * `{ "authorization": "Bearer <token>" }` (browsers cannot set headers on a WebSocket). onConnect
 * refuses a malformed one at once; the token itself is verified each time a subscription starts
 * (see subscriptionPrincipal): onConnect is given only the message, while the app's authenticate
 * needs the upgrade request so that failed guesses count against the caller as on HTTP — and a
 * connection outliving its token then cannot start new subscriptions with it.
 */
export function subscriptionAuthentication(authenticate: Authenticate) {
  return {
    onConnect(data: { payload?: unknown }): boolean {
      const authorization = authorizationOf(data.payload);
      return authorization === undefined || (typeof authorization === 'string' && BEARER.test(authorization));
    },
    context(_socket: unknown, request: FastifyRequest): Record<string, unknown> {
      const caller: SubscriptionCaller = { authenticate: (credential) => authenticate(credential, request) };
      return { [CALLER]: caller };
    },
  };
}

/**
 * The principal of a subscription's connection: null when its connection_init carried no
 * authorization (or the operation is not a subscription); UnauthenticatedError for a bad token.
 */
export async function subscriptionPrincipal(context: unknown): Promise<Principal | null> {
  if (typeof context !== 'object' || context === null) return null;
  const fields = context as Record<string, unknown>;
  const caller = fields[CALLER] as SubscriptionCaller | undefined;
  const authorization = authorizationOf(fields._connectionInit);
  if (!caller || authorization === undefined) return null;
  const token = typeof authorization === 'string' ? BEARER.exec(authorization)?.[1] : undefined;
  if (!token) throw new UnauthenticatedError('authorization must be "Bearer <token>".', 'INVALID_CREDENTIALS');
  return caller.authenticate(token);
}
