import { EventEmitter } from 'node:events';
import { buildContext, createInterruptGuard, createShutdown, describeError, installStopPaths, type BaseContext, type ExitReason, type ProcessRole, type Shutdown } from '@forkhooks/core';
import type { ResolvedClusterOptions } from './cluster-options';
import type { LiveWorker, Slot } from './cluster-slot';
import { killAll, stopClusterWorkers } from './cluster-stop';
import { stopBudgetMs } from './deadline';
import { ForkQueue } from './fork-queue';
import { HeartbeatWatch } from './heartbeat-watch';
import { describeRecycle, recycleReason } from './recycle';
import { log } from './log';
import { handled } from './promises';
import { SlotBackoff } from './restart-policy';
import type { ClusterMetricsEndpoint } from './prometheus/cluster-endpoint';
import { startClusterMetrics } from './prometheus/start';
import type { ClusterEvents, ClusterHandle, ReplaceReason, SlotState } from './types/cluster-handle';
import type { WorkerInfo } from './types/worker-info';
import { checkInteger } from './validate';
import { WorkerExits } from './worker-exits';

/** After a recycle whose replacement failed to start, the next try waits this long. */
const RECYCLE_RETRY_MS = 10_000;

/**
 * The primary side of runCluster: prefork before every fork, one fork at a time; respawn into the
 * slot with backoff; give up on a crash loop (failures to start only); on a stop, tell every worker,
 * wait for their drain and atexit, force stragglers, then run the primary's own atexit and exit.
 */
export class ClusterPrimary extends EventEmitter<ClusterEvents> implements ClusterHandle {
  readonly isPrimary = true;
  readonly ready: Promise<void>;
  #resolveReady!: () => void;
  #rejectReady!: (error: unknown) => void;
  readonly #slots: Slot[];
  readonly #context: BaseContext;
  readonly #shutdown: Shutdown;
  readonly #forks: ForkQueue;
  /** reload() and scale() run one after the other. */
  #ops: Promise<unknown> = Promise.resolve();
  /** The slot count scale() is heading for (TTIN/TTOU count from it). */
  #target: number;
  readonly #watch: HeartbeatWatch;
  readonly #exits: WorkerExits;
  /** The cluster's one Prometheus /metrics (OTEL_METRICS_EXPORTER=prometheus). */
  #metrics: ClusterMetricsEndpoint | undefined;
  #stopping: Promise<void> | undefined;
  /** Replaced or removed workers still running their stop. */
  readonly #retiring = new Set<LiveWorker>();
  /** Kinds of stop request already answered with "already stopping": said once per kind, not once per event. */
  readonly #ignored = new Set<string>();
  /** Workers SIGKILLed during the stop: the primary then exits 1, not 0. */
  #forced = 0;
  /** Where the primary's stop is, for a repeated Ctrl-C. */
  #stopProgress = { phase: 'workers' as 'workers' | 'atexit', endsAt: 0 };
  readonly #interrupts = createInterruptGuard({
    progress: () => {
      const left = `up to ${Math.max(0, this.#stopProgress.endsAt - Date.now())} ms left`;
      const live = this.#liveWorkers().length;
      return this.#stopProgress.phase === 'workers' ? `waiting for ${live} worker(s) to drain and run atexit, ${left}` : `atexit running, ${left}`;
    },
    force: () => {
      const killed = killAll(this.#liveWorkers());
      const pids = killed.map((l) => l.info.pid).join(', ');
      const workers = killed.length > 0 ? `${killed.length} worker(s) SIGKILLed (pid ${pids}) in their drain or atexit, and ` : '';
      return `${workers}the primary's atexit hooks`;
    },
  });

  constructor(private readonly options: ResolvedClusterOptions) {
    super();
    this.ready = handled(
      new Promise<void>((resolve, reject) => {
        this.#resolveReady = resolve;
        this.#rejectReady = reject;
      }),
    );
    this.#slots = Array.from({ length: options.workers }, (_, index) => this.#newSlot(index));
    this.#target = options.workers;
    const stopping = (): boolean => this.#stopping !== undefined;
    this.#forks = new ForkQueue(options, {
      stopping,
      preforkFailed: (slot, exit) => this.#exits.preforkFailed(slot, exit),
      heartbeat: (slot, live) => this.#maybeRecycle(slot, live),
      ready: (_slot, live) => this.#onReady(live),
      exited: (slot, live, code, signal) => this.#onExit(slot, live, code, signal),
    });
    this.#exits = new WorkerExits({
      slots: this.#slots,
      restart: options.restart,
      events: this,
      stopping,
      enqueue: (slot) => this.#forks.enqueue(slot),
      rejectReady: (error) => this.#rejectReady(error),
      stop: (reason, error, detail) => void this.#stop(reason, error, detail),
    });
    this.#watch = new HeartbeatWatch(options.heartbeatTimeoutMs, () => this.#liveWorkers(), (kill) => this.emit('watchdog-kill', kill));
    // The primary is no worker and has no slot of its own: it reports slot 0, generation 0.
    this.#context = buildContext({ runtime: 'cluster', workerIndex: 0, generation: 0, workerId: `${process.pid}:primary`, primaryPid: process.pid });
    // role 'primary': its atexit runs only hooks registered with scope 'primary' or 'all', never a worker's teardown.
    const atexitContext: BaseContext & { role: ProcessRole } = { ...this.#context, role: 'primary' };
    this.#shutdown = createShutdown({
      registry: options.registry,
      context: atexitContext,
      timeoutMs: options.shutdownTimeoutMs,
      drainTimeoutMs: options.drainTimeoutMs,
      label: 'cluster primary',
      // The primary's #stop handles a repeated Ctrl-C for the whole stop, workers included.
      forceOnInterrupt: false,
      // A worker killed at the deadline lost its atexit (its span flush): not a clean stop.
      exitCode: (code) => (code === 0 && this.#forced > 0 ? 1 : code),
    });
  }

  /** Wires the primary's stop paths (signals, fatal errors), runs `primary(ctx)`, then forks every slot. */
  start(): this {
    const { reloadSignal } = this.options;
    installStopPaths((reason, error, detail) => {
      // The opt-in reload signal reloads instead (while a stop runs, it is one more stop request).
      if (reason === 'signal' && reloadSignal && detail === reloadSignal && !this.#stopping) return void this.#reloadOnSignal(reloadSignal);
      void this.#stop(reason, error, detail ?? reason);
    });
    if (process.platform !== 'win32') {
      // Gunicorn's TTIN/TTOU: one worker more, one fewer.
      process.on('SIGTTIN', () => void this.#scaleOnSignal(this.#target + 1, 'SIGTTIN'));
      process.on('SIGTTOU', () => void this.#scaleOnSignal(this.#target - 1, 'SIGTTOU'));
    }
    this.#watch.start();
    this.#metrics = startClusterMetrics(() => this.#liveWorkers().map((l) => ({ worker: l.worker, pid: l.info.pid, workerIndex: l.info.workerIndex, generation: l.info.generation })));
    void this.#begin();
    return this;
  }

  stop(): Promise<void> {
    return this.#stop('exit', undefined, 'stop() called');
  }

  workers(): readonly SlotState[] {
    const state = (live: LiveWorker): SlotState['state'] => (this.#stopping || live.retiring ? 'stopping' : live.ready ? 'ready' : 'starting');
    return this.#slots.flatMap((slot) =>
      [slot.live, slot.next].flatMap((live) => (live ? [{ ...live.info, state: state(live), ...(live === slot.live && slot.replaced && { replaced: slot.replaced }) }] : [])),
    );
  }

  reload(): Promise<void> {
    return this.#serial(async () => {
      if (this.#stopping) throw new Error('reload(): the cluster is stopping; nothing to reload');
      const started = Date.now();
      const replaced: WorkerInfo[] = [];
      log.info(`rolling reload of ${this.#slots.length} worker(s): each replacement first, then a graceful stop of the old one`);
      try {
        for (const slot of [...this.#slots]) {
          const next = await this.#replace(slot, 'reload');
          if (next) replaced.push(next.info);
        }
      } catch (error) {
        log.error(`reload stopped after ${replaced.length} of ${this.#slots.length} worker(s), the old workers keep serving: ${describeError(error)}`);
        this.emit('reload', { durationMs: Date.now() - started, replaced, error });
        throw error;
      }
      const durationMs = Date.now() - started;
      log.info(`reload done in ${durationMs} ms: ${replaced.length} worker(s) replaced`);
      this.emit('reload', { durationMs, replaced });
    });
  }

  scale(n: number): Promise<void> {
    try {
      checkInteger('handle.scale', 'n', n, 1);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#target = n;
    return this.#serial(async () => {
      if (this.#stopping) throw new Error('scale(): the cluster is stopping');
      const from = this.#slots.length;
      if (n === from) return;
      log.info(`scaling from ${from} to ${n} worker(s)`);
      if (n > from) await this.#grow(n);
      else await this.#shrink(n);
      this.emit('scale', { from, to: this.#slots.length });
    });
  }

  async #begin(): Promise<void> {
    const { primary, workers, shutdownTimeoutMs, registry } = this.options;
    log.info(`cluster primary starting ${workers} worker(s); shutdown deadline ${shutdownTimeoutMs} ms`);
    try {
      await primary?.({ ...this.#context, signal: registry.shutdownSignal });
    } catch (error) {
      void this.#stop('error', error, 'primary() failed');
      return;
    }
    for (const slot of this.#slots) this.#forks.enqueue(slot);
  }

  #onReady(live: LiveWorker): void {
    this.emit('worker-ready', live.info);
    if (this.#slots.every((s) => s.everReady)) this.#resolveReady();
  }

  #onExit(slot: Slot, live: LiveWorker, code: number | null, signal: NodeJS.Signals | null): void {
    if (live.forced) this.#forced += 1;
    this.#exits.exited(slot, live, code, signal);
  }

  /** The one stop of the primary: workers first, then its own atexit, then exit. A second request is ignored. */
  #stop(reason: ExitReason, error: unknown, detail: string): Promise<void> {
    if (this.#stopping) {
      if (!this.#interrupts.handle(detail) && !this.#ignored.has(detail)) log.info(`already stopping; ignoring ${detail}`);
      this.#ignored.add(detail);
      return this.#stopping;
    }
    this.#stopping = (async () => {
      this.#watch.stop();
      for (const slot of this.#slots) clearTimeout(slot.timer);
      const live = this.#liveWorkers();
      const { drainTimeoutMs, shutdownTimeoutMs } = this.options;
      const waitMs = stopBudgetMs(drainTimeoutMs, shutdownTimeoutMs);
      this.#stopProgress.endsAt = Date.now() + waitMs + shutdownTimeoutMs;
      if (live.length > 0) log.info(`stopping ${live.length} worker(s) (${detail}): waiting up to ${waitMs} ms for their drain and atexit hooks`);
      await stopClusterWorkers(live, drainTimeoutMs, shutdownTimeoutMs);
      await this.#metrics?.close();
      this.#stopProgress = { phase: 'atexit', endsAt: Date.now() + shutdownTimeoutMs };
      await this.#shutdown.stop(reason, error, detail);
    })();
    return this.#stopping;
  }

  /** Every worker alive: the slots' workers, replacements starting, and workers retiring. */
  #liveWorkers(): LiveWorker[] {
    return [...this.#slots.flatMap((s) => [s.live, s.next].filter((l): l is LiveWorker => l !== undefined)), ...this.#retiring];
  }

  #newSlot(index: number): Slot {
    const { restart } = this.options;
    return { index, generation: 0, pending: false, everReady: false, backoff: restart ? new SlotBackoff(restart) : undefined };
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
    if (!old?.ready || this.#stopping || slot.removed) {
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
    if (current) await this.#retire(current);
    return next;
  }

  /** Forks a replacement into `slot.next` and waits until it is ready; rejects with the hook's error when it fails to start. */
  async #startReplacement(slot: Slot): Promise<LiveWorker | undefined> {
    const next = await this.#forks.enqueueReplacement(slot);
    if (!next) return undefined;
    await next.started;
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
    while (this.#slots.length < n) {
      const slot = this.#newSlot(this.#slots.length);
      this.#slots.push(slot);
      try {
        const live = await this.#startReplacement(slot);
        if (live) slot.live = live;
      } catch (error) {
        slot.removed = true;
        this.#slots.splice(this.#slots.indexOf(slot), 1);
        this.#target = this.#slots.length;
        throw error;
      }
    }
  }

  /** Removes the highest slots: nothing respawns into them, their workers stop gracefully (highest first). */
  async #shrink(n: number): Promise<void> {
    const removed = this.#slots.splice(n).reverse();
    for (const slot of removed) {
      slot.removed = true;
      clearTimeout(slot.timer);
    }
    const workers = removed.flatMap((s) => [s.live, s.next].filter((l): l is LiveWorker => l !== undefined));
    await Promise.all(workers.map((live) => this.#retire(live)));
  }

  #maybeRecycle(slot: Slot, live: LiveWorker): void {
    if (slot.live !== live || !live.ready || slot.replacing || this.#stopping || Date.now() < (slot.recycleAfter ?? 0)) return;
    const info = recycleReason(live, this.options);
    if (!info) return;
    log.info(describeRecycle(info, this.options, live.requestLimit));
    this.emit('recycle', info);
    this.#replace(slot, info.reason).catch((error: unknown) => {
      // The old worker serves on; try again later rather than at every heartbeat.
      slot.recycleAfter = Date.now() + RECYCLE_RETRY_MS;
      log.error(`recycling worker ${slot.index} failed, it keeps serving (next try in ${RECYCLE_RETRY_MS} ms): ${describeError(error)}`);
    });
  }

  async #reloadOnSignal(signal: string): Promise<void> {
    log.info(`${signal}: rolling reload (reloadSignal)`);
    await this.reload().catch(() => undefined); // reload() logged why it stopped
  }

  async #scaleOnSignal(n: number, signal: string): Promise<void> {
    if (this.#stopping) return;
    if (n < 1) return log.info(`${signal}: already at 1 worker; not scaling down`);
    log.info(`${signal}: scaling to ${n} worker(s)`);
    await this.scale(n).catch((error: unknown) => log.error(`${signal}: scaling to ${n} failed: ${describeError(error)}`));
  }
}
