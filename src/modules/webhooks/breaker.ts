// A circuit breaker per endpoint, on the module's clock: after `failures` failed attempts in a
// row the endpoint's messages are put back for `pauseMs` without a connection, then one trial
// goes through; its success closes the breaker, its failure starts another pause. Not cockatiel
// (the rest of Brigade's outbound policy): the retry schedule lives on the module clock, and a
// breaker on wall-clock time would disagree with it whenever that clock is not the wall's.
export interface EndpointBreakers {
  /** Whether a message to the endpoint may be attempted now (a trial, when the pause is over). */
  allows(endpointId: string, nowMs: number): boolean;
  /** When a paused endpoint may be tried again. */
  reopensAt(endpointId: string): number;
  record(endpointId: string, succeeded: boolean, nowMs: number): void;
}

export function createEndpointBreakers(options: { failures: number; pauseMs: number }): EndpointBreakers {
  const state = new Map<string, { failures: number; pausedUntil: number }>();
  return {
    allows(endpointId, nowMs) {
      const entry = state.get(endpointId);
      if (!entry || entry.failures < options.failures) return true;
      if (nowMs < entry.pausedUntil) return false;
      // One trial per pause: the next is allowed a pause later even if this one never reports.
      entry.pausedUntil = nowMs + options.pauseMs;
      return true;
    },
    reopensAt: (endpointId) => state.get(endpointId)?.pausedUntil ?? 0,
    record(endpointId, succeeded, nowMs) {
      if (succeeded) {
        state.delete(endpointId);
        return;
      }
      const entry = state.get(endpointId) ?? { failures: 0, pausedUntil: 0 };
      entry.failures++;
      if (entry.failures >= options.failures) entry.pausedUntil = nowMs + options.pauseMs;
      if (state.size > 10_000 && !state.has(endpointId)) state.clear();
      state.set(endpointId, entry);
    },
  };
}
