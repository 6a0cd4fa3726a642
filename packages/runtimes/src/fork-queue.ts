import cluster from 'node:cluster';
import { describeError, HookError, isInstance, runPrefork } from '@forkhooks/core';
import type { ResolvedClusterOptions } from './cluster-options';
import type { LiveWorker, Slot } from './cluster-slot';
import { replacementError } from './errors/replacement-failed';
import { describeFailure } from './errors/worker-exited.error';
import { log } from './log';
import { heartbeatIntervalMs } from './manager-options';
import { handled } from './promises';
import { requestLimit } from './recycle';
import { newWorkerId, spawnEnv } from './spawn-env';
import type { WorkerExit } from './types/worker-info';
import { readWorkerMessage } from './worker-messages';

/** What the fork queue tells the primary, and asks of it. */
export interface ForkHost {
  /** The primary's stop has begun: nothing more is forked. */
  stopping(): boolean;
  /** The prefork of a start or respawn failed (logged already), so nothing was forked. */
  preforkFailed(slot: Slot, exit: WorkerExit): void;
  /** A worker sent a heartbeat (its figures are recorded already). */
  heartbeat(slot: Slot, live: LiveWorker): void;
  /** A worker said ready (`live.ready`, `slot.everReady` set and `started` resolved already). */
  ready(live: LiveWorker): void;
  /** A worker exited (`started` rejected already if it never was ready). */
  exited(slot: Slot, live: LiveWorker, code: number | null, signal: NodeJS.Signals | null): void;
}

/**
 * The primary's forks, one at a time so prefork hooks never overlap: prefork, cluster.fork with the
 * worker's context in its environment, and the LiveWorker that records what the worker says (failed,
 * stopping, heartbeat, ready) and when it exits.
 */
export class ForkQueue {
  #forks: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly options: ResolvedClusterOptions,
    private readonly host: ForkHost,
  ) {}

  /** Queues a start or respawn: the fork becomes the slot's live worker. */
  enqueue(slot: Slot): void {
    slot.pending = true;
    this.#forks = this.#forks.then(() => this.#spawn(slot, false)).catch(() => undefined);
  }

  /** Queues the fork of a replacement into `slot.next`; rejects with the HookError of a failed prefork. */
  enqueueReplacement(slot: Slot): Promise<LiveWorker | undefined> {
    const fork = this.#forks.then(() => this.#spawn(slot, true));
    this.#forks = fork.catch(() => undefined);
    return fork;
  }

  /** Runs prefork and forks the slot's next worker: its live one (a start or respawn), or a replacement into `next`. */
  async #spawn(slot: Slot, replacement: boolean): Promise<LiveWorker | undefined> {
    if (this.host.stopping() || slot.removed) {
      slot.pending = false;
      return undefined;
    }
    const { index: workerIndex, generation } = slot;
    const workerId = newWorkerId(workerIndex, generation);
    try {
      await runPrefork({ registry: this.options.registry, runtime: 'cluster', workerIndex, generation, workerId });
    } catch (error) {
      slot.pending = false;
      if (replacement) throw error;
      if (this.host.stopping()) return undefined;
      const hookName = isInstance(error, HookError) ? error.hookName : undefined;
      const failure = { phase: 'prefork', hookName, message: describeError(error) };
      log.error(`prefork for worker ${workerIndex} failed, so it was not forked: ${describeFailure(failure)}`);
      this.host.preforkFailed(slot, { workerIndex, generation, workerId, pid: process.pid, code: null, signal: null, expected: false, uptimeMs: 0, forced: false, failure });
      return undefined;
    }
    slot.pending = false;
    if (this.host.stopping() || slot.removed) return undefined;
    const live = this.#fork(slot, workerId);
    if (replacement) {
      slot.next = live;
    } else {
      slot.live = live;
      slot.replaced = slot.respawnReason;
    }
    log.debug(`forked worker ${workerIndex} generation ${generation} (pid ${live.info.pid})${replacement ? ' as a replacement' : ''}`);
    return live;
  }

  #fork(slot: Slot, workerId: string): LiveWorker {
    const { index: workerIndex, generation } = slot;
    const { shutdownTimeoutMs, drainTimeoutMs } = this.options;
    const worker = cluster.fork(spawnEnv({ runtime: 'cluster', workerIndex, generation, workerId, shutdownTimeoutMs, drainTimeoutMs, heartbeatMs: heartbeatIntervalMs(this.options) }));
    const info = { workerIndex, generation, workerId, pid: worker.process.pid ?? -1 };
    const exit = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => worker.once('exit', (code: number | null, signal: string | null) => resolve([code, signal as NodeJS.Signals | null])));
    let settle!: { resolve: () => void; reject: (error: Error) => void };
    const live: LiveWorker = {
      worker,
      info,
      startedAt: Date.now(),
      ready: false,
      requestLimit: requestLimit(this.options),
      started: handled(new Promise<void>((resolve, reject) => (settle = { resolve, reject }))),
      exited: exit.then(([code, signal]) => {
        if (!live.ready) settle.reject(replacementError(workerIndex, code, signal, live.failure));
        this.host.exited(slot, live, code, signal);
      }),
    };
    live.onReady = settle.resolve;
    worker.on('message', (message: unknown) => this.#onMessage(slot, live, message));
    // Without a listener an 'error' (a send on a closing channel) would crash the primary.
    worker.on('error', (error: Error) => log.debug(`worker ${workerIndex} (pid ${info.pid}): ${error.message}`));
    return live;
  }

  #onMessage(slot: Slot, live: LiveWorker, message: unknown): void {
    const signal = readWorkerMessage(message);
    if (signal?.kind === 'failed') live.failure = signal.failure;
    if (signal?.kind === 'stopping') live.stopPhase = signal.phase;
    if (signal?.kind === 'heartbeat') {
      Object.assign(live, { lastBeatAt: Date.now(), rss: signal.rss, requests: signal.requests });
      this.host.heartbeat(slot, live);
    }
    if (signal?.kind !== 'ready' || live.ready) return;
    live.ready = true;
    slot.everReady = true;
    live.onReady?.();
    this.host.ready(live);
  }
}
