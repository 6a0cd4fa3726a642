import type { EventEmitter } from 'node:events';
import { describeError, type ExitReason } from '@forkhooks/core';
import type { LiveWorker, Slot } from './cluster-slot';
import type { CrashLoopError } from './errors/crash-loop.error';
import { describeExit, describeFailure, WorkerExitedError } from './errors/worker-exited.error';
import { log } from './log';
import { decideRespawn, type RespawnDecision } from './respawn-decision';
import type { RestartPolicy } from './restart-policy';
import type { ClusterEvents } from './types/cluster-handle';
import type { WorkerExit } from './types/worker-info';

/** What WorkerExits needs of the primary. */
export interface ExitHost {
  readonly slots: readonly Slot[];
  readonly restart: RestartPolicy | false;
  readonly events: Pick<EventEmitter<ClusterEvents>, 'emit'>;
  /** The primary's stop has begun: every exit is expected. */
  stopping(): boolean;
  /** Queues the slot's next fork (the respawn). */
  enqueue(slot: Slot): void;
  rejectReady(error: unknown): void;
  stop(reason: ExitReason, error: unknown, detail: string): void;
}

/**
 * The primary's answer to a worker that ended: reports the exit ('worker-exit', a warning when it was
 * not asked for), asks decideRespawn, and carries the decision out: the respawn timer, giving up on a
 * crash loop, or (restart: false) winding down.
 */
export class WorkerExits {
  /** The last exit that crashed: with restart: false, why the primary ends with exit 1. */
  #lastBadExit: WorkerExit | undefined;

  constructor(private readonly host: ExitHost) {}

  /** A forked worker exited: it leaves its slot, then the decision runs. */
  exited(slot: Slot, live: LiveWorker, code: number | null, signal: NodeJS.Signals | null): void {
    const wasNext = slot.next === live;
    if (slot.live === live) slot.live = undefined;
    if (wasNext) slot.next = undefined;
    const expected = this.host.stopping() || live.retiring === true;
    const uptimeMs = Date.now() - live.startedAt;
    const exit: WorkerExit = { ...live.info, code, signal, expected, uptimeMs, forced: live.link.forced, ...(live.link.failure && { failure: live.link.failure }) };
    this.host.events.emit('worker-exit', exit);
    if (!expected) {
      const why = live.link.failure ? `: ${describeFailure(live.link.failure)}` : '';
      log.warn(`worker ${slot.index} (pid ${live.info.pid}) ${describeExit(code, signal)} after ${uptimeMs} ms${why}`);
    }
    const ended = { exit, forked: true, wasNext, wasReady: live.link.ready, watchdogKilled: live.watchdogKilled === true };
    this.#apply(slot, exit, decideRespawn(slot, ended, this.host.restart, Date.now()));
  }

  /** The prefork of a start or respawn failed (logged already), so nothing was forked. */
  preforkFailed(slot: Slot, exit: WorkerExit): void {
    const ended = { exit, forked: false, wasNext: false, wasReady: false, watchdogKilled: false };
    this.#apply(slot, exit, decideRespawn(slot, ended, this.host.restart, Date.now()));
  }

  #apply(slot: Slot, exit: WorkerExit, decision: RespawnDecision): void {
    if (decision.kind === 'ignore') return;
    if (decision.crashed) this.#lastBadExit = exit;
    if (decision.kind === 'wind-down') return this.#windDown(slot, exit);
    if (decision.kind === 'give-up') return this.#giveUp(decision.error);
    slot.generation = decision.generation;
    if (decision.reason) slot.respawnReason = decision.reason;
    this.host.events.emit('respawn', { workerIndex: slot.index, generation: slot.generation, delayMs: decision.delayMs, previous: exit });
    log.info(`respawning worker ${slot.index} (generation ${slot.generation}) in ${decision.delayMs} ms`);
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      this.host.enqueue(slot);
    }, decision.delayMs);
  }

  #giveUp(error: CrashLoopError): void {
    // Say it now, in the words of the primary's fatal line (which then does not repeat it: fatalSaid),
    // since stopping the other workers may take up to the shutdown deadline.
    log.error(`cluster primary failed (crash loop): ${error.message}; stopping every worker`);
    this.host.rejectReady(error);
    try {
      this.host.events.emit('giving-up', error);
    } catch (listenerError) {
      log.warn(`a 'giving-up' listener threw: ${describeError(listenerError)}`);
    }
    this.host.stop('error', error, 'crash loop');
  }

  /** restart: false. Once no worker is left or coming, the primary stops: exit 0 if every worker ended well, else 1. */
  #windDown(slot: Slot, exit: WorkerExit): void {
    if (!slot.everReady) this.host.rejectReady(new WorkerExitedError('cluster worker', slot.index, exit.code, exit.signal, exit.failure));
    if (this.host.slots.some((s) => s.live || s.pending)) return;
    const bad = this.#lastBadExit;
    if (!bad) {
      this.host.stop('exit', undefined, 'every worker has exited and restart is off');
      return;
    }
    const when = 'and restart is off; every worker has exited, so the primary stops';
    this.host.stop('error', new WorkerExitedError('cluster worker', bad.workerIndex, bad.code, bad.signal, bad.failure, when), 'workers exited');
  }
}
