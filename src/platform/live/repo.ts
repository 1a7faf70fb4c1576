// SQL of the PostgreSQL fan-out transport, and nothing else. No tables: NOTIFY and LISTEN only.

/** Default channel; every topic travels on it as `topic<TAB>message`. */
export const LIVE_CHANNEL = 'brigade_live';

/** Outside a transaction, so it is delivered as soon as the statement completes. */
export const NOTIFY_STATEMENT = 'SELECT pg_notify($1, $2)';

/** LISTEN takes an identifier, not a parameter: only plain lower-case names are accepted. */
export function listenStatement(channel: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`Invalid LISTEN channel name: ${channel}`);
  return `LISTEN ${channel}`;
}
