import { EventEmitter } from 'node:events';
import { isInstance, type ExitReason, type ProcessRole } from '@forkhooks/core';
import { buildContext, createShutdown, installStopPaths, stopBudgetMs, type BaseContext, type Shutdown, type StopStage } from '@forkhooks/core/manager';
import type { ResolvedClusterOptions } from './cluster-options';
import { newSlot, type LiveWorker, type Slot } from './cluster-slot';
import { killAll, stopClusterWorkers } from './cluster-stop';
import { CrashLoopError } from './errors/crash-loop.error';
import { ForkQueue } from './fork-queue';
import { HeartbeatWatch } from './heartbeat-watch';
import { log } from './log';
import { handled } from './promises';
import type { ClusterMetricsEndpoint } from './prometheus/cluster-endpoint';
import { startClusterMetrics } from './prometheus/start';
import { Replacements } from './replacements';
import type { ClusterEvents, ClusterHandle, SlotState } from './types/cluster-handle';
import { warnIfOversubscribed } from './worker-count';
import { WorkerExits } from './worker-exits';

/**
 * The primary side of runCluster, and what ties its parts together: the fork queue (fork-queue.ts)
 * runs prefork before every fork, one fork at a time; a worker that ended is respawned into its slot
 * with backoff, or the primary gives up on a crash loop (worker-exits.ts, deciding by
 * respawn-decision.ts); reload, scale and recycling replace workers (replacements.ts); on a stop, the
 * primary tells every worker, waits for their drain and atexit, forces stragglers, then runs its own
 * atexit and exits.
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
  readonly #exits: WorkerExits;
  readonly #replacements: Replacements;
  readonly #watch: HeartbeatWatch;
  /** The cluster's one Prometheus /metrics (OTEL_METRICS_EXPORTER=prometheus). */
  #metrics: ClusterMetricsEndpoint | undefined;
  #stopping: Promise<void> | undefined;
  constructor(private readonly options: ResolvedClusterOptions) {
    super();
    this.ready = handled(
      new Promise<void>((resolve, reject) => {
        this.#resolveReady = resolve;
        this.#rejectReady = reject;
      }),
    );
    this.#slots = Array.from({ length: options.workers }, (_, index) => newSlot(index, options.restart));
    const stopping = (): boolean => this.#stopping !== undefined;
    this.#forks = new ForkQueue(options, {
      stopping,
      preforkFailed: (slot, exit) => this.#exits.preforkFailed(slot, exit),
      heartbeat: (slot, live) => this.#replacements.maybeRecycle(slot, live),
      ready: (live) => this.#onReady(live),
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
    this.#replacements = new Replacements(options, { slots: this.#slots, forks: this.#forks, events: this, stopping });
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
        const unsent = killed.reduce((sum, l) => sum + (l.link.unsent ?? 0), 0);
        const held = killed.some((l) => l.link.unsent !== undefined) ? ` holding ${unsent} span(s) not yet exported at their last heartbeat` : '';
        const workers = killed.length > 0 ? `${killed.length} worker(s) SIGKILLed (pid ${pids}) in their drain or atexit${held}, and ` : '';
        return `${workers}the primary's atexit hooks`;
      },
      // A crash loop was said in one line when the primary gave up (worker-exits.ts), before the workers' stop.
      fatalSaid: (error) => isInstance(error, CrashLoopError),
      // Nothing a primary hears twice is expected: each kind is said once.
      expected: () => false,
    });
  }

  /** Wires the primary's stop paths (signals, fatal errors), runs `primary(ctx)`, then forks every slot. */
  start(): this {
    const { reloadSignal } = this.options;
    installStopPaths((reason, error, detail) => {
      // The opt-in reload signal reloads instead (while a stop runs, it is one more stop request).
      if (reason === 'signal' && reloadSignal && detail === reloadSignal && !this.#stopping) return void this.#replacements.reloadOnSignal(reloadSignal);
      void this.#stop(reason, error, detail ?? reason);
    });
    if (process.platform !== 'win32') {
      // Gunicorn's TTIN/TTOU: one worker more, one fewer.
      process.on('SIGTTIN', () => void this.#replacements.scaleOnSignal(1, 'SIGTTIN'));
      process.on('SIGTTOU', () => void this.#replacements.scaleOnSignal(-1, 'SIGTTOU'));
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
    const state = (live: LiveWorker): SlotState['state'] => (this.#stopping || live.retiring ? 'stopping' : live.link.ready ? 'ready' : 'starting');
    return this.#slots.flatMap((slot) =>
      [slot.live, slot.next].flatMap((live) => (live ? [{ ...live.info, state: state(live), ...(live === slot.live && slot.replaced && { replaced: slot.replaced }) }] : [])),
    );
  }

  reload(): Promise<void> {
    return this.#replacements.reload();
  }

  scale(n: number): Promise<void> {
    return this.#replacements.scale(n);
  }

  async #begin(): Promise<void> {
    const { primary, workers, shutdownTimeoutMs, registry } = this.options;
    log.info(`cluster primary starting ${workers} worker(s); shutdown deadline ${shutdownTimeoutMs} ms`);
    warnIfOversubscribed(workers, 'runCluster');
    // A container's init must reap every orphan; Node reaps only the children it spawned (README "Containers").
    if (process.pid === 1) {
      log.warn(
        'the cluster primary is PID 1 (a container without an init): Node reaps only its own children, so orphaned grandchildren ' +
          "(a worker's detached child left behind when the worker exits) stay zombies until the container ends; run it under an init: " +
          '`docker run --init`, tini or dumb-init (Kubernetes: a tini entrypoint)',
      );
    }
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
    if (live.link.forced) this.#shutdown.forced();
    this.#exits.exited(slot, live, code, signal);
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
    return [...this.#slots.flatMap((s) => [s.live, s.next].filter((l): l is LiveWorker => l !== undefined)), ...this.#replacements.retiring()];
  }
}
