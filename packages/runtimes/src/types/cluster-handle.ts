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

/**
 * Why a slot's worker replaced the one before it: a rolling reload, recycling (maxRequests, maxMemoryMb),
 * the heartbeat watchdog, a crash of the previous one, or its exit 0 on its own.
 */
export type ReplaceReason = 'reload' | 'max-requests' | 'max-memory' | 'watchdog' | 'crash' | 'exit';

/** A rolling reload that ended: how long it took and the workers now serving (or the error that stopped it). */
export interface ReloadInfo {
  durationMs: number;
  /** The workers that replaced the old ones (all of them on success; those done before the failure otherwise). */
  replaced: WorkerInfo[];
  /** Set when a replacement failed to start: the reload stopped there and the old worker keeps serving. */
  error?: unknown;
}

/** A change of the number of slots. */
export interface ScaleInfo {
  from: number;
  to: number;
}

/** A worker the heartbeat watchdog killed: it sent no heartbeat for `silentMs`. */
export interface WatchdogKillInfo extends WorkerInfo {
  silentMs: number;
  /**
   * What the rescue before the kill did (runtimes README, "Stuck workers"): `rescued` (the stack taken,
   * its spans sent), `native` (the main thread was blocked in native code and could not be paused),
   * `failed` (see the line), `off` (FORKHOOKS_STUCK_RESCUE=0 in the worker, or no watchdog thread).
   */
  rescue: 'rescued' | 'native' | 'failed' | 'off';
  /** Where the main thread was stuck, when the rescue could tell. */
  blockedIn?: 'javascript' | 'native';
  /** The stuck main thread's stack as V8 prints it (`StuckWorkerError: …` then `    at fn (file:line:col)`). */
  stack?: string;
  /** Its frames, innermost first, as `fn (file:line:col)`. */
  frames?: string[];
  /** Spans the rescue sent and the collector accepted. */
  spansRescued: number;
  /** Spans lost with the worker: those the rescue could not send, or all it held at its last heartbeat; undefined without tracing. */
  spansLost: number | undefined;
  /** Spans in an export the worker had begun before it got stuck: they may have arrived. */
  spansInFlight?: number;
  /** How long the rescue took, from the primary's word to its watchdog thread's answer (the kill came right after). */
  rescueMs?: number;
}

/** A worker being recycled (replacement first, then a graceful stop). */
export interface RecycleInfo extends WorkerInfo {
  reason: 'max-requests' | 'max-memory';
  /** Requests its closeOnStop servers had seen, at its last heartbeat. */
  requests: number;
  /** Its RSS at its last heartbeat, in MiB. */
  rssMb: number;
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
  /** A rolling reload ended (see `reload()`). */
  reload: [reload: ReloadInfo];
  /** The number of slots changed (see `scale()`). */
  scale: [scale: ScaleInfo];
  /** The heartbeat watchdog SIGKILLed a silent worker; a replacement follows. */
  'watchdog-kill': [kill: WatchdogKillInfo];
  /** A worker crossed maxRequests or maxMemoryMb; its replacement is starting. */
  recycle: [recycle: RecycleInfo];
}

/** The state of one slot, from `handle.workers()`. */
export interface SlotState extends WorkerInfo {
  /** `starting` (forked, not ready yet), `ready`, or `stopping`. */
  state: 'starting' | 'ready' | 'stopping';
  /** Why this worker replaced the previous one of its slot; undefined for the slot's first worker. */
  replaced?: ReplaceReason;
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
  /** Primary: the live workers, by slot (a replacement starting and a worker retiring included). Worker: empty. */
  workers(): readonly SlotState[];
  /**
   * Primary: a rolling reload, slot by slot: prefork, fork the replacement (generation + 1, the code on
   * disk now), wait until it is ready, then stop the old worker gracefully (drain, atexit, flush). A
   * replacement that fails to start stops the reload, the old worker keeps serving, and this rejects
   * with the hook's error. Worker: rejects (only the primary reloads).
   */
  reload(): Promise<void>;
  /**
   * Primary: `n` slots from now on. New slots run prefork/postfork as usual and this resolves once they
   * are ready; removed slots (the highest first) stop gracefully and this resolves once they have exited.
   * Worker: rejects.
   */
  scale(n: number): Promise<void>;
}
