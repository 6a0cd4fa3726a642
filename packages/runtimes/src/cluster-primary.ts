import cluster from 'node:cluster';
import { EventEmitter } from 'node:events';
import { buildContext, createInterruptGuard, createShutdown, describeError, HookError, installStopPaths, isInstance, runPrefork, type BaseContext, type ExitReason, type ProcessRole, type Shutdown } from '@forkhooks/core';
import type { ResolvedClusterOptions } from './cluster-options';
import type { LiveWorker, Slot } from './cluster-slot';
import { killAll, stopClusterWorkers } from './cluster-stop';
import { stopBudgetMs } from './deadline';
import { CrashLoopError } from './errors/crash-loop.error';
import { describeExit, describeFailure, WorkerExitedError } from './errors/worker-exited.error';
import { log } from './log';
import { handled } from './promises';
import { SlotBackoff } from './restart-policy';
import { newWorkerId, spawnEnv } from './spawn-env';
import type { ClusterEvents, ClusterHandle, SlotState } from './types/cluster-handle';
import type { WorkerExit } from './types/worker-info';
import { readWorkerMessage } from './worker-messages';

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
  #forks: Promise<void> = Promise.resolve();
  #stopping: Promise<void> | undefined;
  #lastBadExit: WorkerExit | undefined;
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
    const { restart } = options;
    this.#slots = Array.from({ length: options.workers }, (_, index) => ({
      index,
      generation: 0,
      pending: false,
      everReady: false,
      backoff: restart ? new SlotBackoff(restart) : undefined,
    }));
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
    installStopPaths((reason, error, detail) => void this.#stop(reason, error, detail ?? reason));
    void this.#begin();
    return this;
  }

  stop(): Promise<void> {
    return this.#stop('exit', undefined, 'stop() called');
  }

  workers(): readonly SlotState[] {
    const state = (live: LiveWorker): SlotState['state'] => (this.#stopping ? 'stopping' : live.ready ? 'ready' : 'starting');
    return this.#slots.flatMap(({ live }) => (live ? [{ ...live.info, state: state(live) }] : []));
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
    this.#forks = this.#forks.then(() => this.#spawn(slot));
  }

  async #spawn(slot: Slot): Promise<void> {
    if (this.#stopping) return;
    const { index: workerIndex, generation } = slot;
    const workerId = newWorkerId(workerIndex, generation);
    try {
      await runPrefork({ registry: this.options.registry, runtime: 'cluster', workerIndex, generation, workerId });
    } catch (error) {
      slot.pending = false;
      if (this.#stopping) return;
      const hookName = isInstance(error, HookError) ? error.hookName : undefined;
      const failure = { phase: 'prefork', hookName, message: describeError(error) };
      log.error(`prefork for worker ${workerIndex} failed, so it was not forked: ${describeFailure(failure)}`);
      this.#afterExit(slot, { workerIndex, generation, workerId, pid: process.pid, code: null, signal: null, expected: false, uptimeMs: 0, forced: false, failure }, false);
      return;
    }
    slot.pending = false;
    if (this.#stopping) return;
    const { shutdownTimeoutMs, drainTimeoutMs } = this.options;
    const worker = cluster.fork(spawnEnv({ runtime: 'cluster', workerIndex, generation, workerId, shutdownTimeoutMs, drainTimeoutMs }));
    const info = { workerIndex, generation, workerId, pid: worker.process.pid ?? -1 };
    const exit = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => worker.once('exit', (code: number | null, signal: string | null) => resolve([code, signal as NodeJS.Signals | null])));
    const live: LiveWorker = {
      worker,
      info,
      startedAt: Date.now(),
      ready: false,
      exited: exit.then(([code, signal]) => this.#onExit(slot, live, code, signal)),
    };
    slot.live = live;
    worker.on('message', (message: unknown) => this.#onMessage(slot, live, message));
    // Without a listener an 'error' (a send on a closing channel) would crash the primary.
    worker.on('error', (error: Error) => log.debug(`worker ${workerIndex} (pid ${info.pid}): ${error.message}`));
    log.debug(`forked worker ${workerIndex} generation ${generation} (pid ${info.pid})`);
  }

  #onMessage(slot: Slot, live: LiveWorker, message: unknown): void {
    const signal = readWorkerMessage(message);
    if (signal?.kind === 'failed') live.failure = signal.failure;
    if (signal?.kind === 'stopping') live.stopPhase = signal.phase;
    if (signal?.kind !== 'ready' || live.ready) return;
    live.ready = true;
    slot.everReady = true;
    this.emit('worker-ready', live.info);
    if (this.#slots.every((s) => s.everReady)) this.#resolveReady();
  }

  #onExit(slot: Slot, live: LiveWorker, code: number | null, signal: NodeJS.Signals | null): void {
    if (slot.live === live) slot.live = undefined;
    const expected = this.#stopping !== undefined;
    const uptimeMs = Date.now() - live.startedAt;
    const forced = live.forced === true;
    if (forced) this.#forced += 1;
    const exit: WorkerExit = { ...live.info, code, signal, expected, uptimeMs, forced, ...(live.failure && { failure: live.failure }) };
    this.emit('worker-exit', exit);
    if (expected) return;
    const why = live.failure ? `: ${describeFailure(live.failure)}` : '';
    log.warn(`worker ${slot.index} (pid ${live.info.pid}) ${describeExit(code, signal)} after ${uptimeMs} ms${why}`);
    this.#afterExit(slot, exit, true, live.ready);
  }

  /** A worker ended on its own, or could not be forked: respawn it with backoff, give up, or (restart: false) wind down. */
  #afterExit(slot: Slot, exit: WorkerExit, forked: boolean, wasReady = false): void {
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

  /** The one stop of the primary: workers first, then its own atexit, then exit. A second request is ignored. */
  #stop(reason: ExitReason, error: unknown, detail: string): Promise<void> {
    if (this.#stopping) {
      if (!this.#interrupts.handle(detail) && !this.#ignored.has(detail)) log.info(`already stopping; ignoring ${detail}`);
      this.#ignored.add(detail);
      return this.#stopping;
    }
    this.#stopping = (async () => {
      for (const slot of this.#slots) clearTimeout(slot.timer);
      const live = this.#liveWorkers();
      const { drainTimeoutMs, shutdownTimeoutMs } = this.options;
      const waitMs = stopBudgetMs(drainTimeoutMs, shutdownTimeoutMs);
      this.#stopProgress.endsAt = Date.now() + waitMs + shutdownTimeoutMs;
      if (live.length > 0) log.info(`stopping ${live.length} worker(s) (${detail}): waiting up to ${waitMs} ms for their drain and atexit hooks`);
      await stopClusterWorkers(live, drainTimeoutMs, shutdownTimeoutMs);
      this.#stopProgress = { phase: 'atexit', endsAt: Date.now() + shutdownTimeoutMs };
      await this.#shutdown.stop(reason, error, detail);
    })();
    return this.#stopping;
  }

  #liveWorkers(): LiveWorker[] {
    return this.#slots.flatMap((s) => (s.live ? [s.live] : []));
  }
}
