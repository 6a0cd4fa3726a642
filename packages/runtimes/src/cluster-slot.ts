import type { Worker } from 'node:cluster';
import { SlotBackoff, type RestartPolicy } from './restart-policy';
import type { ReplaceReason } from './types/cluster-handle';
import type { ProcessExit, WorkerInfo } from './types/worker-info';
import type { WorkerLink } from './worker-link';

/** A worker the cluster primary forked and has not seen exit. */
export interface LiveWorker {
  readonly worker: Worker;
  readonly info: WorkerInfo;
  readonly startedAt: number;
  /** Resolves once the primary has handled the worker's 'exit'. */
  readonly exited: Promise<void>;
  /** What it says and how it ends: ready (`link.started`), its start failure, its last stop phase, forced. */
  readonly link: WorkerLink<ProcessExit>;
  /** When its last heartbeat came (undefined before the first), with the RSS and request count it carried. */
  lastBeatAt?: number;
  rss?: number;
  requests?: number;
  /** Where its watchdog thread listens for a rescue (from its heartbeats), or why it does not. */
  rescue?: string;
  rescueOff?: string;
  /** Its maxRequests, jitter included. */
  readonly requestLimit: number | undefined;
  /** Replaced or removed: the primary asked it to stop, its exit is expected. */
  retiring?: boolean;
  /** The heartbeat watchdog killed it. */
  watchdogKilled?: boolean;
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
  /** A replacement forked for `live` (reload, recycling, a new slot), until it is ready and takes over. */
  next?: LiveWorker;
  /** The replacement of this slot under way, if any. */
  replacing?: Promise<void>;
  /** Why `live` replaced the worker before it. */
  replaced?: ReplaceReason;
  /** Why the respawn being scheduled replaces its worker. */
  respawnReason?: ReplaceReason;
  /** scale() removed this slot: nothing is respawned into it. */
  removed?: boolean;
  /** No recycling attempt before this time (a replacement just failed to start). */
  recycleAfter?: number;
}

/** Slot `index` before its first fork: generation 0, with its own backoff unless restart is off. */
export function newSlot(index: number, restart: RestartPolicy | false): Slot {
  return { index, generation: 0, pending: false, everReady: false, backoff: restart ? new SlotBackoff(restart) : undefined };
}
