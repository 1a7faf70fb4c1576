// What a fan-out transport does (Redis pub/sub, PostgreSQL LISTEN/NOTIFY, or both); the topic
// bookkeeping around it is shared, in fanout.ts.
export interface Transport {
  /** Start hearing `topic` (idempotent); settles like LiveSubscription.ready. */
  listen(topic: string): Promise<void>;
  /** Stop hearing `topic`: no local listener is left. */
  unlisten(topic: string): void;
  publish(topic: string, message: string): Promise<void>;
  close(): Promise<void>;
}

export type Deliver = (topic: string, message: string) => void;
