// Configuration's public face: load it once at start, pass the typed object down.
export { loadConfig } from './load.js';
export { ConfigError } from './read-env.js';
export { CONFIG_VARIABLES } from './variables.js';
export type { Config, NodeEnv, ProcessRole, RateLimit } from './types.js';
