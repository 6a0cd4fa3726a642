import type { Worker, WorkerOptions } from 'node:worker_threads';
import type { HookRegistry } from '@forkhooks/core';
import type { StartFailure, WorkerInfo } from './worker-info';

/** Options of spawnThread. */
export interface SpawnThreadOptions {
  /** The slot this thread fills (prefork and the thread see it). Default 0. */
  workerIndex?: number;
  /** How many times this slot was respawned before. Default 0. */
  generation?: number;
  /** Default: a unique `<pid>:<slot>:<generation>:<n>`. */
  workerId?: string;
  /** Passed to the thread as `workerData`. */
  workerData?: unknown;
  /** The thread's `process.env` before the FORKHOOKS_* variables are added. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Anything else `new Worker` accepts (argv, execArgv, resourceLimits, stdout, ...). */
  worker?: Omit<WorkerOptions, 'env' | 'workerData'>;
  /** The thread's atexit deadline; stop() terminates it after that (plus a margin). Default FORKHOOKS_SHUTDOWN_TIMEOUT_MS, else 10,000 ms. */
  shutdownTimeoutMs?: number;
  /** The thread's drain time (closeOnStop servers) before its atexit; stop() terminates only after drain + deadline + margin. Default FORKHOOKS_DRAIN_TIMEOUT_MS, else 10,000 ms. */
  drainTimeoutMs?: number;
  /** Where prefork hooks come from (this thread's registry; the new thread has its own). Default: the process-wide `registry`. */
  registry?: HookRegistry;
}

/** How a worker thread ended. */
export interface ThreadExit {
  /** The thread's exit code: 0 after a graceful stop, 1 after a fatal error, 1 too after terminate(). */
  code: number;
  /** Set when the thread said why it failed to start. */
  failure?: StartFailure;
  /** An error the thread did not handle itself (emitted as 'error' by the Worker). */
  error?: Error;
  /** true when stop() had to terminate() it after the deadline. */
  terminated: boolean;
}

/** A worker thread started by spawnThread. */
export interface ThreadHandle extends WorkerInfo {
  /** `worker.threadId` of the new thread. */
  readonly threadId: number;
  /** The node:worker_threads Worker (for app messages: `thread.worker.postMessage(...)`). */
  readonly worker: Worker;
  /** Resolves once the thread's postfork ran and its main resolved; rejects with a WorkerExitedError if it ends first. */
  readonly ready: Promise<void>;
  /** Resolves when the thread has ended. */
  readonly exited: Promise<ThreadExit>;
  /** Posts `{ forkhooks: 'stop' }` so the thread runs its atexit hooks; terminate() only after the deadline. */
  stop(): Promise<ThreadExit>;
}
