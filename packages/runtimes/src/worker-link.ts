import type { StopPhase } from '@forkhooks/core/manager';
import { handled } from './promises';
import { stopWithinBudget, type StopBudget, type StopLink } from './stop-worker';
import type { StartFailure } from './types/worker-info';
import { cutOff, readWorkerMessage, unsentClause, type Heartbeat } from './worker-messages';

/**
 * What a manager listens to on what it spawned: a ChildProcess, a worker_threads Worker or a
 * cluster Worker. Each emits 'message' and 'exit'; a process exits with a code or a signal, a thread
 * with a code only.
 */
export interface LinkSource {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  once(event: 'exit', listener: (code: number | null, signal?: NodeJS.Signals | null) => void): unknown;
}

/** What the link reads of a worker, for the exit it reports and the error of an early exit. */
export interface LinkState {
  /** It said ready. */
  readonly ready: boolean;
  /** What it said in its 'failed' message, if it failed to start. */
  readonly failure: StartFailure | undefined;
  /** The last part of its stop it reported (drain, atexit). */
  readonly stopPhase: StopPhase | undefined;
  /** Its manager ended it (SIGKILL by pid, or terminate a thread) after its stop budget, or on a forced stop. */
  readonly forced: boolean;
  /** The spans it held (ended, not exported) at its last heartbeat; undefined without heartbeats or tracing. */
  readonly unsent: number | undefined;
}

/** How a worker's link reports it, and what its manager hears. */
export interface WorkerLinkOptions<E> {
  /** Its exit, as the manager's handle reports it: built when 'exit' is emitted, from the link's state then. */
  exitAs(code: number | null, signal: NodeJS.Signals | null, state: LinkState): E;
  /** The error `started` rejects with when it exits before it was ready. */
  exitedEarly(exit: E, failure: StartFailure | undefined): Error;
  /** Its first ready message (`ready` set and `started` resolved already). */
  onReady?(): void;
  /** A heartbeat, with what it carried (RSS, requests, unsent spans, the rescue's address). */
  onHeartbeat?(beat: Heartbeat): void;
  /** It closed its servers while stopping and waits for the word that no connection is on its way to it (a cluster primary answers: core's stop/routing-barrier.ts). */
  onServersClosed?(): void;
}

/** The manager's part of a stop that only it knows: how to ask, whether the worker is gone, the overrun line, how to end it. */
export interface StopWays {
  /** Asks the worker to stop (drain, then atexit): the stop message, or SIGTERM where no channel is left. */
  ask(): void;
  /** Whether it is gone already (nothing left to stop or force). */
  gone(): boolean;
  /** The one line said when its budget ran out, given the budget spelled out and what ending it now cuts off. */
  overran(budget: string, cutOff: string): string;
  /** Ends it now: SIGKILL by pid, or terminate a thread. */
  force(): unknown;
}

/**
 * One spawned worker as its manager sees it, for cluster workers, child processes and threads alike:
 * reads its messages (ready, failed, stopping, heartbeat, servers closed) and its exit; `started` resolves on its
 * first ready message and rejects with `exitedEarly` when it exits before; `exited` resolves with
 * `exitAs`; and it gives the StopLink that stopWithinBudget (stop-worker.ts) stops it by, marking
 * it forced when it has to be ended.
 */
export class WorkerLink<E> implements LinkState {
  readonly started: Promise<void>;
  readonly exited: Promise<E>;
  #ready = false;
  #failure: StartFailure | undefined;
  #stopPhase: StopPhase | undefined;
  #forced = false;
  #unsent: number | undefined;
  #stopping: Promise<E> | undefined;

  constructor(source: LinkSource, options: WorkerLinkOptions<E>) {
    this.exited = new Promise<E>((resolve) => source.once('exit', (code, signal) => resolve(options.exitAs(code, signal ?? null, this))));
    let resolveStarted!: () => void;
    this.started = handled(
      new Promise<void>((resolve, reject) => {
        resolveStarted = resolve;
        void this.exited.then((exit) => {
          if (!this.#ready) reject(options.exitedEarly(exit, this.#failure));
        });
      }),
    );
    source.on('message', (message: unknown) => {
      const signal = readWorkerMessage(message);
      if (signal?.kind === 'failed') this.#failure = signal.failure;
      if (signal?.kind === 'stopping') this.#stopPhase = signal.phase;
      if (signal?.kind === 'heartbeat') {
        this.#unsent = signal.beat.unsent;
        options.onHeartbeat?.(signal.beat);
      }
      if (signal?.kind === 'servers-closed') options.onServersClosed?.();
      if (signal?.kind !== 'ready' || this.#ready) return;
      this.#ready = true;
      resolveStarted();
      options.onReady?.();
    });
  }

  get ready(): boolean {
    return this.#ready;
  }

  get failure(): StartFailure | undefined {
    return this.#failure;
  }

  get stopPhase(): StopPhase | undefined {
    return this.#stopPhase;
  }

  get forced(): boolean {
    return this.#forced;
  }

  get unsent(): number | undefined {
    return this.#unsent;
  }

  /** Marks it forced, then ends it the manager's way (`end`). */
  force(end: () => unknown): unknown {
    this.#forced = true;
    return end();
  }

  /** Its side of stopWithinBudget: the manager's ways, its exit, and the cut-off read from its last stop phase when the line is said. */
  stopLink(ways: StopWays): StopLink {
    return {
      ask: () => ways.ask(),
      exited: this.exited,
      gone: () => ways.gone(),
      overran: (budget) => ways.overran(budget, cutOff(this.#stopPhase) + unsentClause(this.#unsent)),
      force: () => this.force(() => ways.force()),
    };
  }

  /**
   * Stops this worker alone within `budget` (a child process, a thread): asks, waits, forces it after
   * the budget. Once: a second call shares the first. Resolves with its exit.
   */
  stop(ways: StopWays, budget: StopBudget): Promise<E> {
    return (this.#stopping ??= this.#stopAlone(ways, budget));
  }

  async #stopAlone(ways: StopWays, budget: StopBudget): Promise<E> {
    if (!ways.gone()) await stopWithinBudget([this.stopLink(ways)], budget);
    return this.exited;
  }
}
