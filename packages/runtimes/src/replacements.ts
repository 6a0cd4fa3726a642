import type { EventEmitter } from 'node:events';
import { describeError, isInstance } from '@forkhooks/core';
import type { ResolvedClusterOptions } from './cluster-options';
import { newSlot, type LiveWorker, type Slot } from './cluster-slot';
import { stopClusterWorkers } from './cluster-stop';
import { ClusterStoppingError } from './errors/cluster-stopping.error';
import type { ForkQueue } from './fork-queue';
import { log } from './log';
import { handled } from './promises';
import { describeRecycle, recycleReason } from './recycle';
import type { ClusterEvents, ReplaceReason } from './types/cluster-handle';
import type { WorkerInfo } from './types/worker-info';
import { checkWorkerCount, warnIfOversubscribed } from './worker-count';

/** After a recycle whose replacement failed to start, the next try waits this long. */
const RECYCLE_RETRY_MS = 10_000;

/** What Replacements needs of the primary. */
export interface ReplacementHost {
  /** The primary's slots: scale() grows and shrinks this array in place. */
  readonly slots: Slot[];
  readonly forks: Pick<ForkQueue, 'enqueueReplacement'>;
  readonly events: Pick<EventEmitter<ClusterEvents>, 'emit'>;
  /** The primary's stop has begun: nothing is replaced any more. */
  stopping(): boolean;
}

/**
 * The replacements of the primary: rolling reload, scale, and recycling. Each replaces a worker
 * replacement first (fork generation + 1, wait until it is ready, then stop the old one gracefully),
 * so the slot never stops serving; reload() and scale() run one after the other. One file, a little over
 * 200 lines: the three share #serial, #replace and #retire, which a split would have to export.
 */
export class Replacements {
  /** reload() and scale() run one after the other. */
  #ops: Promise<unknown> = Promise.resolve();
  /** The slot count scale() is heading for (TTIN/TTOU count from it). */
  #target: number;
  /** Replaced or removed workers still running their stop. */
  readonly #retiring = new Set<LiveWorker>();

  constructor(
    private readonly options: ResolvedClusterOptions,
    private readonly host: ReplacementHost,
  ) {
    this.#target = options.workers;
  }

  /** Workers replaced or removed that have not exited yet. */
  retiring(): Iterable<LiveWorker> {
    return this.#retiring;
  }

  /**
   * See ClusterHandle.reload. Each old worker's stop (drain, atexit, flush) runs on its own budget while
   * the next slot is replaced (Gunicorn's HUP does the same): a slow or unreachable collector delays
   * none but that worker's exit.
   */
  reload(): Promise<void> {
    return this.#serial(async () => {
      const { slots, events } = this.host;
      const total = slots.length;
      if (this.host.stopping()) throw new ClusterStoppingError('reload()', 0, total);
      const started = Date.now();
      const replaced: WorkerInfo[] = [];
      log.info(`rolling reload of ${total} worker(s): each replacement first, then a graceful stop of the old one`);
      try {
        for (const slot of [...slots]) {
          const next = await this.#replace(slot, 'reload');
          if (next) replaced.push(next.info);
          this.#throwIfStopping('reload()', replaced.length, total);
        }
      } catch (caught) {
        // A replacement the stop ended before it was ready says "exited before it was ready": the stop is the cause.
        const error = this.host.stopping() && !isInstance(caught, ClusterStoppingError) ? new ClusterStoppingError('reload()', replaced.length, total) : caught;
        if (isInstance(error, ClusterStoppingError)) log.info(error.message);
        else log.error(`reload stopped after ${replaced.length} of ${total} worker(s), the old workers keep serving: ${describeError(error)}`);
        events.emit('reload', { durationMs: Date.now() - started, replaced, error });
        throw error;
      }
      const durationMs = Date.now() - started;
      const stopping = [...this.#retiring].filter((l) => !l.worker.isDead()).length;
      const still = stopping > 0 ? `; ${stopping} old worker(s) still finishing their stop, each within its own budget` : '';
      log.info(`reload done in ${durationMs} ms: ${replaced.length} worker(s) replaced${still}`);
      events.emit('reload', { durationMs, replaced });
    });
  }

  /** See ClusterHandle.scale. */
  scale(n: number): Promise<void> {
    try {
      checkWorkerCount('handle.scale', 'n', n);
    } catch (error) {
      return Promise.reject(error);
    }
    warnIfOversubscribed(n, `scale(${n})`);
    this.#target = n;
    return this.#serial(async () => {
      const from = this.host.slots.length;
      const operation = `scale(${n})`;
      this.#throwIfStopping(operation, 0, Math.abs(n - from));
      if (n === from) return;
      log.info(`scaling from ${from} to ${n} worker(s)`);
      try {
        if (n > from) await this.#grow(n);
        else await this.#shrink(n);
        this.#throwIfStopping(operation, Math.abs(this.host.slots.length - from), Math.abs(n - from));
      } catch (caught) {
        const error = this.host.stopping() && !isInstance(caught, ClusterStoppingError) ? new ClusterStoppingError(operation, Math.abs(this.host.slots.length - from), Math.abs(n - from)) : caught;
        if (isInstance(error, ClusterStoppingError)) log.info(error.message);
        throw error;
      }
      this.host.events.emit('scale', { from, to: this.host.slots.length });
    });
  }

  /** The cluster's stop began: reload() and scale() end with a ClusterStoppingError, never as if they had done their work. */
  #throwIfStopping(operation: string, done: number, total: number): void {
    if (this.host.stopping()) throw new ClusterStoppingError(operation, done, total);
  }

  /** At a heartbeat: recycles `live` when it crossed maxRequests or maxMemoryMb. */
  maybeRecycle(slot: Slot, live: LiveWorker): void {
    if (slot.live !== live || !live.link.ready || slot.replacing || this.host.stopping() || Date.now() < (slot.recycleAfter ?? 0)) return;
    const info = recycleReason(live, this.options);
    if (!info) return;
    log.info(describeRecycle(info, this.options, live.requestLimit));
    this.host.events.emit('recycle', info);
    this.#replace(slot, info.reason).catch((error: unknown) => {
      // The old worker serves on; try again later rather than at every heartbeat.
      slot.recycleAfter = Date.now() + RECYCLE_RETRY_MS;
      log.error(`recycling worker ${slot.index} failed, it keeps serving (next try in ${RECYCLE_RETRY_MS} ms): ${describeError(error)}`);
    });
  }

  /** The reloadSignal arrived. */
  async reloadOnSignal(signal: string): Promise<void> {
    log.info(`${signal}: rolling reload (reloadSignal)`);
    await this.reload().catch(() => undefined); // reload() logged why it stopped
  }

  /** Gunicorn's TTIN/TTOU: one worker more (`step` 1) or one fewer (-1) than the target. */
  async scaleOnSignal(step: 1 | -1, signal: string): Promise<void> {
    const n = this.#target + step;
    if (this.host.stopping()) return;
    if (n < 1) return log.info(`${signal}: already at 1 worker; not scaling down`);
    log.info(`${signal}: scaling to ${n} worker(s)`);
    await this.scale(n).catch((error: unknown) => log.error(`${signal}: scaling to ${n} failed: ${describeError(error)}`));
  }

  #serial(operation: () => Promise<void>): Promise<void> {
    const run = this.#ops.then(operation);
    this.#ops = run.catch(() => undefined);
    return handled(run);
  }

  /** One replacement per slot at a time: a second caller shares the one under way. */
  #replace(slot: Slot, reason: ReplaceReason): Promise<LiveWorker | undefined> {
    if (slot.replacing) return slot.replacing.then(() => slot.live);
    const run = this.#replaceNow(slot, reason);
    slot.replacing = run.then(
      () => undefined,
      () => undefined,
    );
    void slot.replacing.then(() => (slot.replacing = undefined));
    return run;
  }

  /** Replacement first: fork generation + 1, wait until it is ready, make it the slot's worker, then stop the old one gracefully. */
  async #replaceNow(slot: Slot, reason: ReplaceReason): Promise<LiveWorker | undefined> {
    const old = slot.live;
    if (!old?.link.ready || this.host.stopping() || slot.removed) {
      // Nothing serving to replace (a respawn is on its way: it forks the code as it is on disk then).
      log.debug(`worker ${slot.index} is not serving; nothing to ${reason === 'reload' ? 'reload' : 'recycle'}`);
      return undefined;
    }
    slot.generation += 1;
    const next = await this.#startReplacement(slot);
    if (!next) return undefined;
    const current = slot.live;
    slot.live = next;
    slot.replaced = reason;
    // Not awaited: the old worker's drain and flush keep their own budget, and the next slot need not wait for them.
    if (current) this.#retire(current).catch((error: unknown) => log.error(`stopping the replaced worker ${slot.index} (pid ${current.info.pid}) failed: ${describeError(error)}`));
    return next;
  }

  /** Forks a replacement into `slot.next` and waits until it is ready; rejects with the hook's error when it fails to start. */
  async #startReplacement(slot: Slot): Promise<LiveWorker | undefined> {
    const next = await this.host.forks.enqueueReplacement(slot);
    if (!next) return undefined;
    await next.link.started;
    if (slot.next === next) slot.next = undefined;
    return next;
  }

  /** Asks `live` to stop (drain, atexit, flush) and waits for its exit; SIGKILLs it only after its stop budget. */
  async #retire(live: LiveWorker): Promise<void> {
    live.retiring = true;
    this.#retiring.add(live);
    void live.exited.then(() => this.#retiring.delete(live));
    await stopClusterWorkers([live], this.options.drainTimeoutMs, this.options.shutdownTimeoutMs);
  }

  /** New slots, one after the other, each ready before the next; a slot whose worker fails to start is removed again. */
  async #grow(n: number): Promise<void> {
    const { slots } = this.host;
    while (slots.length < n) {
      if (this.host.stopping()) return;
      const slot = newSlot(slots.length, this.options.restart);
      slots.push(slot);
      try {
        const live = await this.#startReplacement(slot);
        if (live) slot.live = live;
      } catch (error) {
        slot.removed = true;
        slots.splice(slots.indexOf(slot), 1);
        this.#target = slots.length;
        throw error;
      }
    }
  }

  /** Removes the highest slots: nothing respawns into them, their workers stop gracefully (highest first). */
  async #shrink(n: number): Promise<void> {
    const removed = this.host.slots.splice(n).reverse();
    for (const slot of removed) {
      slot.removed = true;
      clearTimeout(slot.timer);
    }
    const workers = removed.flatMap((s) => [s.live, s.next].filter((l): l is LiveWorker => l !== undefined));
    await Promise.all(workers.map((live) => this.#retire(live)));
  }
}
