// Live fan-out across api nodes (Redis pub/sub, or PostgreSQL LISTEN/NOTIFY): wake-up calls for
// streams (SSE, GraphQL subscriptions). No business rules.
export {
  createLiveFanout,
  createLocalFanout,
  MAX_LIVE_MESSAGE_BYTES,
  type LiveFanout,
  type LiveFanoutOptions,
  type LiveListener,
  type LiveSubscription,
} from './fanout.js';
