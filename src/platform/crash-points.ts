// Deliberate process death at named points, so crash tests kill a real process at the exact
// moment that matters (after the processor captured, before Brigade recorded it) instead of
// hoping a SIGKILL from outside lands there. Configured by BRIGADE_CRASH_AT; refused in production.

export type CrashPoint = (name: string) => void;

export function createCrashPoints(crashAt: string | null): CrashPoint {
  if (crashAt === null) return () => undefined;
  return (name) => {
    // SIGKILL: no shutdown hooks, no flushing, exactly like the power going out.
    if (name === crashAt) process.kill(process.pid, 'SIGKILL');
  };
}
