// The `brigade` command as tests run it: a real child process of bin/brigade.mjs with only the
// settings the test gives (nothing inherited from the developer's shell, CI or vitest), its
// output collected, and its exit awaited with a bound. Tests kill what they started with killAll.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'brigade.mjs');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface BrigadeRun {
  child: ChildProcess;
  /** stdout and stderr interleaved, for failure messages. */
  output(): string;
  stdout(): string;
  exited: Promise<Exit>;
}

/** Inherited settings that would change what the child does. */
const INHERITED =
  /^(DATABASE_URL|REDIS_URL|NATS_URL|NATS_STREAM|JWT_.*|NODE_ENV|PORT|HOST|PUBLIC_URL|LOG_LEVEL|TEST|VITEST.*|BRIGADE_.*|PAYMENTS_.*|SANDBOX_.*|STRIPE_.*|RATE_LIMIT_.*|LOGIN_LOCKOUT_.*|ARGON2_.*|PRESSURE_.*|OTEL_.*|OUTBOX_.*|EMBEDDED_PG_PORT)$/;

/** Starts `brigade <args>`; the child is also added to `owned` (the caller's list to kill). */
export function spawnBrigade(args: string[], env: Record<string, string>, owned: ChildProcess[]): BrigadeRun {
  const base: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(process.env)) if (!INHERITED.test(name)) base[name] = value;
  // A child starting under a busy test run (tsx compiling, other files loading PostgreSQL) can
  // lag its event loop past the shedding limit; these tests are not about shedding.
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...base, PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  owned.push(child);
  let output = '';
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, output: () => output, stdout: () => stdout, exited };
}

/** Resolves with the exit, or rejects when the process is still running after `ms`. */
export async function exitWithin(run: BrigadeRun, ms: number): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms; output:\n${run.output()}`)), ms);
  });
  try {
    return await Promise.race([run.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** SIGKILLs every child of the list still running and empties it (a failed test leaves no server behind). */
export function killAll(list: ChildProcess[]): void {
  for (const child of list.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
