import cluster from 'node:cluster';
import { EventEmitter } from 'node:events';
import { describeError, HookError, isInstance, runPrefork, type ExitReason, type ProcessRole } from '@forkhooks/core';
import { buildContext, createShutdown, installStopPaths, stopBudgetMs, type BaseContext, type Shutdown, type StopStage } from '@forkhooks/core/manager';
import type { ResolvedClusterOptions } from './cluster-options';
import type { LiveWorker, Slot } from './cluster-slot';
import { killAll, stopClusterWorkers } from './cluster-stop';
import { CrashLoopError } from './errors/crash-loop.error';
import { replacementError } from './errors/replacement-failed';
import { describeExit, describeFailure, WorkerExitedError } from './errors/worker-exited.error';
import { HeartbeatWatch } from './heartbeat-watch';
import { heartbeatIntervalMs } from './manager-options';
import { describeRecycle, recycleReason, requestLimit } from './recycle';
import { log } from './log';
import { handled } from './promises';
import { SlotBackoff } from './restart-policy';
import type { ClusterMetricsEndpoint } from './prometheus/cluster-endpoint';
import { startClusterMetrics } from './prometheus/start';
import { newWorkerId, spawnEnv } from './spawn-env';
import type { ClusterEvents, ClusterHandle, ReplaceReason, SlotState } from './types/cluster-handle';
import type { WorkerInfo } from './types/worker-info';
import type { WorkerExit } from './types/worker-info';
import { checkInteger } from './validate';
import { readWorkerMessage } from './worker-messages';

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
  #forks: Promise<unknown> = Promise.resolve();
  /** reload() and scale() run one after the other. */
  #ops: Promise<unknown> = Promise.resolve();
  /** The slot count scale() is heading for (TTIN/TTOU count from it). */
  #target: number;
  readonly #watch: HeartbeatWatch;
  /** The cluster's one Prometheus /metrics (OTEL_METRICS_EXPORTER=prometheus). */
  #metrics: ClusterMetricsEndpoint | undefined;
  #stopping: Promise<void> | undefined;
  /** Replaced or removed workers still running their stop. */
  readonly #retiring = new Set<LiveWorker>();
  #lastBadExit: WorkerExit | undefined;
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
      // One stop plan for the whole stop: the workers first, then the primary's own drain and atexit.
      stages: ({ detail }) => [this.#workersStage(detail ?? 'stop')],
      // A repeated Ctrl-C forces the whole stop, workers included.
      force: () => {
        const killed = killAll(this.#liveWorkers());
        const pids = killed.map((l) => l.info.pid).join(', ');
        const workers = killed.length > 0 ? `${killed.length} worker(s) SIGKILLed (pid ${pids}) in their drain or atexit, and ` : '';
        return `${workers}the primary's atexit hooks`;
      },
      // Nothing a primary hears twice is expected: each kind is said once.
      expected: () => false,
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
    for (const slot of this.#slots) this.#enqueue(slot);
  }

  /** Forks run one at a time, so prefork hooks never overlap. */
  #enqueue(slot: Slot): void {
    slot.pending = true;
    this.#forks = this.#forks.then(() => this.#spawn(slot, false)).catch(() => undefined);
  }

  /** Queues the fork of a replacement into `slot.next`; rejects with the HookError of a failed prefork. */
  #enqueueReplacement(slot: Slot): Promise<LiveWorker | undefined> {
    const fork = this.#forks.then(() => this.#spawn(slot, true));
    this.#forks = fork.catch(() => undefined);
    return fork;
  }

  /** Runs prefork and forks the slot's next worker: its live one (a start or respawn), or a replacement into `next`. */
  async #spawn(slot: Slot, replacement: boolean): Promise<LiveWorker | undefined> {
    if (this.#stopping || slot.removed) {
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
      if (this.#stopping) return undefined;
      const hookName = isInstance(error, HookError) ? error.hookName : undefined;
      const failure = { phase: 'prefork', hookName, message: describeError(error) };
      log.error(`prefork for worker ${workerIndex} failed, so it was not forked: ${describeFailure(failure)}`);
      this.#afterExit(slot, { workerIndex, generation, workerId, pid: process.pid, code: null, signal: null, expected: false, uptimeMs: 0, forced: false, failure }, false);
      return undefined;
    }
    slot.pending = false;
    if (this.#stopping || slot.removed) return undefined;
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
        this.#onExit(slot, live, code, signal);
      }),
    };
    live.onReady = settle.resolve;
    if (replacement) {
      slot.next = live;
    } else {
      slot.live = live;
      slot.replaced = slot.respawnReason;
    }
    worker.on('message', (message: unknown) => this.#onMessage(slot, live, message));
    // Without a listener an 'error' (a send on a closing channel) would crash the primary.
    worker.on('error', (error: Error) => log.debug(`worker ${workerIndex} (pid ${info.pid}): ${error.message}`));
    log.debug(`forked worker ${workerIndex} generation ${generation} (pid ${info.pid})${replacement ? ' as a replacement' : ''}`);
    return live;
  }

  #onMessage(slot: Slot, live: LiveWorker, message: unknown): void {
    const signal = readWorkerMessage(message);
    if (signal?.kind === 'failed') live.failure = signal.failure;
    if (signal?.kind === 'stopping') live.stopPhase = signal.phase;
    if (signal?.kind === 'heartbeat') {
      Object.assign(live, { lastBeatAt: Date.now(), rss: signal.rss, requests: signal.requests });
      this.#maybeRecycle(slot, live);
    }
    if (signal?.kind !== 'ready' || live.ready) return;
    live.ready = true;
    slot.everReady = true;
    live.onReady?.();
    this.emit('worker-ready', live.info);
    if (this.#slots.every((s) => s.everReady)) this.#resolveReady();
  }

  #onExit(slot: Slot, live: LiveWorker, code: number | null, signal: NodeJS.Signals | null): void {
    const wasNext = slot.next === live;
    if (slot.live === live) slot.live = undefined;
    if (wasNext) slot.next = undefined;
    const expected = this.#stopping !== undefined || live.retiring === true;
    const uptimeMs = Date.now() - live.startedAt;
    const forced = live.forced === true;
    if (forced) this.#shutdown.forced();
    const exit: WorkerExit = { ...live.info, code, signal, expected, uptimeMs, forced, ...(live.failure && { failure: live.failure }) };
    this.emit('worker-exit', exit);
    if (expected) return;
    const why = live.failure ? `: ${describeFailure(live.failure)}` : '';
    log.warn(`worker ${slot.index} (pid ${live.info.pid}) ${describeExit(code, signal)} after ${uptimeMs} ms${why}`);
    // A replacement that failed to start replaces nothing: its caller hears why, the old worker serves on
    // (and a slot scale() was adding, never ready, is removed by scale()). While a replacement starts, it
    // takes over from a worker that died meanwhile.
    if (wasNext && (slot.live || !slot.everReady)) return;
    if (!wasNext && slot.next) return;
    slot.respawnReason = live.watchdogKilled ? 'watchdog' : code === 0 && signal === null ? 'exit' : 'crash';
    this.#afterExit(slot, exit, true, live.ready);
  }

  /** A worker ended on its own, or could not be forked: respawn it with backoff, give up, or (restart: false) wind down. */
  #afterExit(slot: Slot, exit: WorkerExit, forked: boolean, wasReady = false): void {
    if (slot.removed) return;
    // A worker that was ready and exited 0 on its own (recycling itself) is replaced, but is no crash.
    const crashed = !forked || !wasReady || exit.code !== 0 || exit.signal !== null;
    if (crashed) this.#lastBadExit = exit;
    if (!slot.backoff || !this.options.restart) return this.#windDown(slot, exit);
    // Only a failure to start, or a crash before minUptimeMs, counts towards giving up (Gunicorn halts
    // only when a worker fails to boot; PM2 counts restarts under min_uptime): a worker that was
    // serving is respawned with backoff however often requests crash it.
    const counts = crashed && !(wasReady && exit.uptimeMs >= this.options.restart.minUptimeMs);
    const verdict = slot.backoff.crash(exit.uptimeMs, Date.now(), counts);
    if (!verdict.respawn) return this.#giveUp(new CrashLoopError(slot.index, verdict.crashes, this.options.restart ? this.options.restart.windowMs : 0, exit));
    // A forked worker that died is replaced by the next generation; a failed prefork is retried as is.
    if (forked) slot.generation += 1;
    this.emit('respawn', { workerIndex: slot.index, generation: slot.generation, delayMs: verdict.delayMs, previous: exit });
    log.info(`respawning worker ${slot.index} (generation ${slot.generation}) in ${verdict.delayMs} ms`);
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      this.#enqueue(slot);
    }, verdict.delayMs);
  }

  #giveUp(error: CrashLoopError): void {
    // Say it now: stopping the other workers may take up to the shutdown deadline.
    log.error(`${error.message}; stopping every worker`);
    this.#rejectReady(error);
    try {
      this.emit('giving-up', error);
    } catch (listenerError) {
      log.warn(`a 'giving-up' listener threw: ${describeError(listenerError)}`);
    }
    void this.#stop('error', error, 'crash loop');
  }

  /** restart: false. Once no worker is left or coming, the primary stops: exit 0 if every worker ended well, else 1. */
  #windDown(slot: Slot, exit: WorkerExit): void {
    if (!slot.everReady) this.#rejectReady(new WorkerExitedError('cluster worker', slot.index, exit.code, exit.signal, exit.failure));
    if (this.#slots.some((s) => s.live || s.pending)) return;
    const bad = this.#lastBadExit;
    if (!bad) {
      void this.#stop('exit', undefined, 'every worker has exited and restart is off');
      return;
    }
    const when = 'and restart is off; every worker has exited, so the primary stops';
    void this.#stop('error', new WorkerExitedError('cluster worker', bad.workerIndex, bad.code, bad.signal, bad.failure, when), 'workers exited');
  }

  /** The one stop of the primary, on core's stop plan: workers first, then its own atexit, then exit. A second request is answered there. */
  #stop(reason: ExitReason, error: unknown, detail: string): Promise<void> {
    const running = this.#shutdown.stop(reason, error, detail);
    this.#stopping ??= running.then(() => undefined);
    return this.#stopping;
  }

  /** The primary's first stop stage: every worker drains and runs its atexit within its budget; stragglers are SIGKILLed. */
  #workersStage(detail: string): StopStage {
    const { drainTimeoutMs, shutdownTimeoutMs } = this.options;
    const waitMs = stopBudgetMs(drainTimeoutMs, shutdownTimeoutMs);
    return {
      name: 'workers',
      plannedMs: waitMs,
      progress: () => `waiting for ${this.#liveWorkers().length} worker(s) to drain and run atexit`,
      run: async () => {
        this.#watch.stop();
        for (const slot of this.#slots) clearTimeout(slot.timer);
        const live = this.#liveWorkers();
        if (live.length > 0) log.info(`stopping ${live.length} worker(s) (${detail}): waiting up to ${waitMs} ms for their drain and atexit hooks`);
        const inTime = await stopClusterWorkers(live, drainTimeoutMs, shutdownTimeoutMs);
        await this.#metrics?.close();
        return inTime;
      },
    };
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
    const next = await this.#enqueueReplacement(slot);
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
