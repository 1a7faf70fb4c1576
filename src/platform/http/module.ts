import type { FastifyPluginAsync } from 'fastify';
import type { PeriodicTask } from '../jobs/periodic.js';

/** What a module hands to the app: its routes (mounted under /v1) and its worker tasks. */
export interface ModuleSurface {
  routes: FastifyPluginAsync;
  tasks: PeriodicTask[];
}
