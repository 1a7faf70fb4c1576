import type { FastifyPluginAsync } from 'fastify';
import type { JobDefinition } from '../jobs/queue.js';

/** What a module hands to the app: its routes (mounted under /v1) and its background jobs. */
export interface ModuleSurface {
  routes: FastifyPluginAsync;
  jobs: JobDefinition[];
}
