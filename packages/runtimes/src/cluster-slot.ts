import type { Worker } from 'node:cluster';
import type { StopPhase } from '@forkhooks/core';
import type { SlotBackoff } from './restart-policy';
import type { StartFailure, WorkerInfo } from './types/worker-info';

/** A worker the cluster primary forked and has not seen exit. */
export interface LiveWorker {
  readonly worker: Worker;
  readonly info: WorkerInfo;
  readonly startedAt: number;
  /** Resolves once the primary has handled the worker's 'exit'. */
  readonly exited: Promise<void>;
  ready: boolean;
  /** The last part of its stop the worker reported (drain, atexit). */
  stopPhase?: StopPhase;
  /** The primary SIGKILLed it after its stop budget. */
  forced?: boolean;
  /** What the worker said in its 'failed' message, if it failed to start. */
  failure?: StartFailure;
}

/** One slot 0..n-1 of runCluster: its current worker, its generation, its backoff. */
export interface Slot {
  readonly index: number;
  generation: number;
  live?: LiveWorker;
  /** A fork of this slot is queued or running its prefork. */
  pending: boolean;
  /** Some worker of this slot has been ready. */
  everReady: boolean;
  /** undefined with `restart: false`. */
  readonly backoff: SlotBackoff | undefined;
  /** The respawn timer, while one is scheduled. */
  timer?: NodeJS.Timeout;
}
