import { EnvVars, type Runtime } from '@forkhooks/core';

/** Who a manager is about to spawn: what `prefork` sees and what the worker's `startWorker` reads back. */
export interface SpawnSpec {
  runtime: Runtime;
  workerIndex: number;
  generation: number;
  workerId: string;
  shutdownTimeoutMs: number;
  drainTimeoutMs: number;
  /** How often the worker sends its heartbeat (runCluster's watchdog and recycling); undefined: none. */
  heartbeatMs?: number;
  /** runCluster's reloadSignal: the worker leaves it to the primary instead of stopping on it. */
  reloadSignal?: NodeJS.Signals;
}

let spawned = 0;

/** A worker id unique in this manager's lifetime: `<manager pid>:<slot>:<generation>:<n>`. */
export function newWorkerId(workerIndex: number, generation: number): string {
  spawned += 1;
  return `${process.pid}:${workerIndex}:${generation}:${spawned}`;
}

/** The FORKHOOKS_* variables that hand the spawn's context (and the stop deadline) to the worker; its startWorker takes them out of its process.env. */
export function spawnEnv(spec: SpawnSpec): Record<string, string> {
  return {
    [EnvVars.RUNTIME]: spec.runtime,
    [EnvVars.WORKER_INDEX]: String(spec.workerIndex),
    [EnvVars.GENERATION]: String(spec.generation),
    [EnvVars.WORKER_ID]: spec.workerId,
    [EnvVars.PRIMARY_PID]: String(process.pid),
    [EnvVars.SHUTDOWN_TIMEOUT_MS]: String(spec.shutdownTimeoutMs),
    [EnvVars.DRAIN_TIMEOUT_MS]: String(spec.drainTimeoutMs),
    // Empty (off) unless asked: a worker must not inherit its own manager's setting.
    [EnvVars.HEARTBEAT_MS]: spec.heartbeatMs === undefined ? '' : String(spec.heartbeatMs),
    [EnvVars.RELOAD_SIGNAL]: spec.reloadSignal ?? '',
  };
}
