// Per-endpoint sending rate (`rate_limit_per_second`): a one-second window per endpoint, in this
// process. Several worker processes each keep their own window, so the receiver may see up to
// that many times the rate; documented in ADR 0030 as the price of not coordinating senders.
export function createRateWindows() {
  const windows = new Map<string, { second: number; used: number }>();
  return {
    /** Whether one more message to `endpointId` fits its rate now (null: no limit). */
    take(endpointId: string, perSecond: number | null, nowMs: number): boolean {
      if (perSecond === null) return true;
      const second = Math.floor(nowMs / 1000);
      const window = windows.get(endpointId);
      if (!window || window.second !== second) {
        if (windows.size > 10_000) windows.clear();
        windows.set(endpointId, { second, used: 1 });
        return true;
      }
      if (window.used >= perSecond) return false;
      window.used++;
      return true;
    },
  };
}
