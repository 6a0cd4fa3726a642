import { InvalidEnvironmentError } from './errors/invalid-env.error';

/** Variables a forkhooks manager sets for the worker it spawns (read by `startWorker`). */
export const EnvVars = {
  RUNTIME: 'FORKHOOKS_RUNTIME',
  WORKER_INDEX: 'FORKHOOKS_WORKER_INDEX',
  GENERATION: 'FORKHOOKS_GENERATION',
  WORKER_ID: 'FORKHOOKS_WORKER_ID',
  PRIMARY_PID: 'FORKHOOKS_PRIMARY_PID',
  SHUTDOWN_TIMEOUT_MS: 'FORKHOOKS_SHUTDOWN_TIMEOUT_MS',
  DRAIN_TIMEOUT_MS: 'FORKHOOKS_DRAIN_TIMEOUT_MS',
  /** Set by runCluster when it watches its workers: how often the worker sends its heartbeat (ms). */
  HEARTBEAT_MS: 'FORKHOOKS_HEARTBEAT_MS',
  /** Set by runCluster with a reloadSignal: the worker leaves that signal to its primary (which reloads on it) instead of stopping. */
  RELOAD_SIGNAL: 'FORKHOOKS_RELOAD_SIGNAL',
} as const;

/** Reads a non-negative integer from `env[name]`; undefined when unset, a named error when malformed. */
export function envInteger(env: NodeJS.ProcessEnv, name: string, min = 0): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidEnvironmentError(name, raw, `an integer >= ${min}`);
  }
  return value;
}
