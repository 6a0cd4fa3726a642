import cluster from 'node:cluster';
import { describeError, HookError, isInstance, runPrefork } from '@forkhooks/core';
import { removeRescueSocket } from '@forkhooks/core/manager';
import type { ResolvedClusterOptions } from './cluster-options';
import type { LiveWorker, Slot } from './cluster-slot';
import { replacementError } from './errors/replacement-failed';
import { describeFailure } from './errors/worker-exited.error';
import { log } from './log';
import { heartbeatIntervalMs } from './manager-options';
import { requestLimit } from './recycle';
import { newWorkerId, spawnEnv } from './spawn-env';
import type { ProcessExit, WorkerExit } from './types/worker-info';
import { WorkerLink } from './worker-link';
import { ROUTING_STOPPED } from './worker-messages';

/** What the fork queue tells the primary, and asks of it. */
export interface ForkHost {
  /** The primary's stop has begun: nothing more is forked. */
  stopping(): boolean;
  /** The prefork of a start or respawn failed (logged already), so nothing was forked. */
  preforkFailed(slot: Slot, exit: WorkerExit): void;
  /** A worker sent a heartbeat (its figures are recorded already). */
  heartbeat(slot: Slot, live: LiveWorker): void;
  /** A worker said ready (`live.link.ready`, `slot.everReady` set and `live.link.started` resolved already). */
  ready(live: LiveWorker): void;
  /** A worker exited (`live.link.started` rejected already if it never was ready). */
  exited(slot: Slot, live: LiveWorker, code: number | null, signal: NodeJS.Signals | null): void;
}

/**
 * The primary's forks, one at a time so prefork hooks never overlap: prefork, cluster.fork with the
 * worker's context in its environment, and the LiveWorker: its link (worker-link.ts) reads what the
 * worker says (ready, failed, stopping) and its exit; the heartbeat figures are recorded here.
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
    const { shutdownTimeoutMs, drainTimeoutMs, reloadSignal } = this.options;
    const heartbeatMs = heartbeatIntervalMs(this.options);
    const worker = cluster.fork(spawnEnv({ runtime: 'cluster', workerIndex, generation, workerId, shutdownTimeoutMs, drainTimeoutMs, heartbeatMs, reloadSignal: reloadSignal || undefined }));
    const info = { workerIndex, generation, workerId, pid: worker.process.pid ?? -1 };
    // The link reads its messages and exit; the heartbeat and the first ready are the primary's to act on.
    const link = new WorkerLink<ProcessExit>(worker, {
      exitAs: (code, signal) => ({ code, signal }),
      exitedEarly: ({ code, signal }, failure) => replacementError(workerIndex, code, signal, failure),
      onReady: () => {
        slot.everReady = true;
        this.host.ready(live);
      },
      onHeartbeat: ({ rss, requests, rescue, rescueOff }) => {
        Object.assign(live, { lastBeatAt: Date.now(), rss, requests, rescue, rescueOff });
        this.host.heartbeat(slot, live);
      },
      // The worker closed its servers (the close went before this, IPC keeps order): node:cluster routes
      // it nothing more, so the answer tells it no connection is left on its way (core's stop/routing-barrier.ts).
      onServersClosed: () => {
        if (worker.isConnected()) worker.send(ROUTING_STOPPED);
      },
    });
    const live: LiveWorker = {
      worker,
      info,
      link,
      startedAt: Date.now(),
      requestLimit: requestLimit(this.options),
      exited: link.exited.then(({ code, signal }) => {
        // A killed worker cannot remove its own rescue socket.
        removeRescueSocket(live.rescue);
        this.host.exited(slot, live, code, signal);
      }),
    };
    // Without a listener an 'error' (a send on a closing channel) would crash the primary.
    worker.on('error', (error: Error) => log.debug(`worker ${workerIndex} (pid ${info.pid}): ${error.message}`));
    return live;
  }
}
