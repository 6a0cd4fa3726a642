import { EnvVars } from './env';

/**
 * The FORKHOOKS_* variables that make a process a managed worker: who it is (runtime, slot,
 * generation, id, its manager's pid), whether its manager wants heartbeats, and which signal its
 * manager keeps for itself. The deadlines (FORKHOOKS_SHUTDOWN_TIMEOUT_MS, _DRAIN_TIMEOUT_MS) are
 * settings, not an identity: they stay in the environment.
 */
export const MARKER_VARS: readonly string[] = [
  EnvVars.RUNTIME,
  EnvVars.WORKER_INDEX,
  EnvVars.GENERATION,
  EnvVars.WORKER_ID,
  EnvVars.PRIMARY_PID,
  EnvVars.HEARTBEAT_MS,
  EnvVars.RELOAD_SIGNAL,
];

/** Kept on globalThis: two copies of core in one process (core and otel-init's) must see one reading. */
const KEY = Symbol.for('forkhooks.workerMarkers');
const holder = globalThis as { [KEY]?: Readonly<Record<string, string>> };

/**
 * The markers this process was started with, read once and removed from `process.env`, so that the
 * children and threads it starts (a plain child_process.fork, a spawn, a Worker) never take its
 * identity: they start as what they are. Node's cluster does the same with NODE_UNIQUE_ID. forkhooks'
 * own spawnChild and spawnThread give their children markers of their own.
 */
export function workerMarkers(): Readonly<Record<string, string>> {
  const taken = holder[KEY];
  if (taken) return taken;
  const markers: Record<string, string> = {};
  for (const name of MARKER_VARS) {
    const value = process.env[name];
    if (value === undefined) continue;
    markers[name] = value;
    delete process.env[name];
  }
  holder[KEY] = Object.freeze(markers);
  return holder[KEY];
}

/** `process.env` as this process was started: its environment with its markers put back (for the readers of FORKHOOKS_*). */
export function startEnv(): NodeJS.ProcessEnv {
  return { ...process.env, ...workerMarkers() };
}

/** Whether a forkhooks manager (or another that sets FORKHOOKS_RUNTIME) started this process. */
export function isManaged(): boolean {
  return workerMarkers()[EnvVars.RUNTIME] !== undefined;
}
