import type { ChildProcess, ForkOptions } from 'node:child_process';
import type { HookRegistry } from '@forkhooks/core';
import type { ProcessExit, WorkerInfo } from './worker-info';

/** Options of spawnChild. */
export interface SpawnChildOptions {
  /** The slot this child fills (prefork and the child see it). Default 0. */
  workerIndex?: number;
  /** How many times this slot was respawned before (you respawn: you count). Default 0. */
  generation?: number;
  /** Default: a unique `<parent pid>:<slot>:<generation>:<n>`. */
  workerId?: string;
  /** Arguments for the child module. */
  args?: readonly string[];
  /** The child's environment before the FORKHOOKS_* variables are added. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Anything else child_process.fork accepts (execArgv, cwd, stdio, serialization, ...). */
  fork?: Omit<ForkOptions, 'env'>;
  /** The child's atexit deadline; stop() forces after it (plus a margin). Default FORKHOOKS_SHUTDOWN_TIMEOUT_MS, else 10,000 ms. */
  shutdownTimeoutMs?: number;
  /** The child's drain time (closeOnStop servers) before its atexit; stop() forces only after drain + deadline + margin. Default FORKHOOKS_DRAIN_TIMEOUT_MS, else 10,000 ms. */
  drainTimeoutMs?: number;
  /** Where prefork hooks come from. Default: the process-wide `registry`. */
  registry?: HookRegistry;
}

/** A child process started by spawnChild. */
export interface ChildHandle extends WorkerInfo {
  /** The node:child_process object (for app messages: `child.process.send(...)`). */
  readonly process: ChildProcess;
  /** Resolves once the child's postfork ran and its main resolved; rejects with a WorkerExitedError if it ends first. */
  readonly ready: Promise<void>;
  /** Resolves when the child has exited. */
  readonly exited: Promise<ProcessExit>;
  /**
   * Asks for a graceful stop (the `{ forkhooks: 'stop' }` message, or SIGTERM when the IPC channel is closed),
   * SIGKILLs the child by pid only if it is still alive after the deadline; resolves when it has exited.
   */
  stop(): Promise<ProcessExit>;
}
