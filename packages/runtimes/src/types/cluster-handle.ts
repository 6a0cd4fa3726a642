import type { EventEmitter } from 'node:events';
import type { CrashLoopError } from '../errors/crash-loop.error';
import type { WorkerExit, WorkerInfo } from './worker-info';

/** A respawn that runCluster scheduled for a slot. */
export interface RespawnInfo {
  workerIndex: number;
  /** The generation the replacement will have. */
  generation: number;
  /** How long the primary waits before it runs prefork and forks again. */
  delayMs: number;
  /** How the previous worker of the slot ended. */
  previous: WorkerExit;
}

/** What the primary's handle emits, for users who log or count. Workers' handles emit nothing. */
export interface ClusterEvents {
  /** A worker ran postfork and its main resolved. */
  'worker-ready': [worker: WorkerInfo];
  /** A worker ended (`expected` tells a graceful stop from a crash; `forced`, a kill after its stop budget). */
  'worker-exit': [exit: WorkerExit];
  /** A dead worker will be replaced in its slot. */
  respawn: [respawn: RespawnInfo];
  /** A slot failed too often: the primary stops every worker and exits 1. */
  'giving-up': [error: CrashLoopError];
}

/** The state of one slot, from `handle.workers()`. */
export interface SlotState extends WorkerInfo {
  /** `starting` (forked, not ready yet), `ready`, or `stopping`. */
  state: 'starting' | 'ready' | 'stopping';
}

/** What runCluster returns, in the primary and in each worker (the same script runs in both). */
export interface ClusterHandle extends EventEmitter<ClusterEvents> {
  /** true in the primary, false in a worker. */
  readonly isPrimary: boolean;
  /**
   * Primary: resolves once every slot has had a ready worker; rejects with a CrashLoopError when the primary
   * gives up first. Worker: resolves once this worker's postfork ran and its main resolved.
   */
  readonly ready: Promise<void>;
  /**
   * The graceful stop, as on SIGTERM. Primary: tells every worker to stop, waits for their drain and atexit
   * (SIGKILLing stragglers after drain + deadline + 1 s), runs its own atexit and exits 0 (1 if it had to
   * kill a worker). Worker: drains, runs its atexit and exits 0.
   */
  stop(): Promise<void>;
  /** Primary: the live workers, by slot. Worker: empty. */
  workers(): readonly SlotState[];
}
