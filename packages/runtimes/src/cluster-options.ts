import { availableParallelism } from 'node:os';
import { registry as defaultRegistry, resolveDrainTimeout, resolveShutdownTimeout, type HookRegistry, type WorkerMain } from '@forkhooks/core';
import type { BaseContext } from '@forkhooks/core/manager';
import { InvalidRuntimeOptionError } from './errors/invalid-runtime-option.error';
import { resolveRestart, type RestartOptions, type RestartPolicy } from './restart-policy';
import { MANAGER_KEYS, resolveManagerOptions, type ManagerOptions, type ResolvedManagerOptions } from './manager-options';
import { checkDuration, checkFunction, checkInteger, checkKeys, checkObject, checkRegistry } from './validate';
import { checkWorkerCount, MAX_WORKERS } from './worker-count';

/** What `primary(ctx)` receives: the primary's own context, and a signal aborted when its shutdown starts. */
export type PrimaryContext = BaseContext & { signal: AbortSignal };

/** Options of runCluster. */
export interface ClusterOptions extends ManagerOptions {
  /** The worker's main function: runs in each worker after postfork, with the same context. */
  worker: WorkerMain;
  /** How many workers (slots 0..workers-1), at most MAX_WORKERS (1,024); more than 4 per CPU is warned about. Default `os.availableParallelism()`. */
  workers?: number;
  /** Runs once in the primary, before the first fork (throng's `master`). A throw stops the primary with exit 1. */
  primary?: (ctx: PrimaryContext) => unknown;
  /** Respawn policy; false: never respawn (the primary stops once every worker is gone). */
  restart?: RestartOptions | false;
  /** Deadline for each process's atexit hooks. Default FORKHOOKS_SHUTDOWN_TIMEOUT_MS, else 10,000 ms. */
  shutdownTimeoutMs?: number;
  /**
   * How long a stopping worker lets its requests in flight finish (servers given to closeOnStop) before its
   * atexit, outside that deadline; the primary force-kills only after drain + deadline + 1 s.
   * Default FORKHOOKS_DRAIN_TIMEOUT_MS, else 10,000 ms; 0 cuts open connections at once.
   */
  drainTimeoutMs?: number;
  /** Default: the process-wide `registry`. */
  registry?: HookRegistry;
}

/** ClusterOptions validated, with every default filled in. */
export interface ResolvedClusterOptions extends ResolvedManagerOptions {
  worker: WorkerMain;
  workers: number;
  primary: ((ctx: PrimaryContext) => unknown) | undefined;
  restart: RestartPolicy | false;
  shutdownTimeoutMs: number;
  drainTimeoutMs: number;
  registry: HookRegistry;
}

const CALLER = 'runCluster';
const KEYS = ['worker', 'workers', 'primary', 'restart', 'shutdownTimeoutMs', 'drainTimeoutMs', 'registry', ...MANAGER_KEYS];

/** Validates runCluster's options (the same in primary and workers) before anything is forked. */
export function resolveClusterOptions(options: ClusterOptions): ResolvedClusterOptions {
  if (options === undefined) throw new InvalidRuntimeOptionError('options', CALLER, `expected { worker, workers?, primary?, restart?, shutdownTimeoutMs?, drainTimeoutMs?, registry?, ${MANAGER_KEYS.map((k) => `${k}?`).join(', ')} }`);
  checkObject(CALLER, 'options', options);
  checkKeys(CALLER, '', options, KEYS);
  checkFunction(CALLER, 'worker', options.worker, true);
  checkWorkerCount(CALLER, 'workers', options.workers);
  checkFunction(CALLER, 'primary', options.primary, false);
  checkDuration(CALLER, 'shutdownTimeoutMs', options.shutdownTimeoutMs);
  checkInteger(CALLER, 'drainTimeoutMs', options.drainTimeoutMs, 0);
  checkRegistry(CALLER, options.registry);
  const manager = resolveManagerOptions(CALLER, options);
  return {
    ...manager,
    worker: options.worker,
    workers: options.workers ?? Math.min(availableParallelism(), MAX_WORKERS),
    primary: options.primary,
    restart: resolveRestart(CALLER, options.restart),
    shutdownTimeoutMs: resolveShutdownTimeout(options.shutdownTimeoutMs),
    drainTimeoutMs: resolveDrainTimeout(options.drainTimeoutMs),
    registry: options.registry ?? defaultRegistry,
  };
}
