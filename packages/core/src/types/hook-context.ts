import type { Margin } from '../stop/budget';
import type { ExitReason, Phase, Runtime } from './phase';

/** What every hook receives: which phase, which runtime, and which worker it runs for. */
export interface HookContext {
  /** The phase being run; set by `registry.run`. */
  phase: Phase;
  /** The worker runtime that started this process (or thread). */
  runtime: Runtime;
  /** Stable slot 0..n-1; a replacement worker keeps the slot of the one it replaces. */
  workerIndex: number;
  /** How many times this slot was respawned: 0 for the first worker in it. */
  generation: number;
  /** Unique per spawned worker. */
  workerId: string;
  /** The pid of the process the hook runs in (for `prefork`: the primary). */
  pid: number;
  /** The pid of the manager process, where known. */
  primaryPid: number | undefined;
  /** `worker_threads.threadId`: 0 on a process's main thread. */
  threadId: number;
  /** Aborted when the hook's `timeoutMs` passes or when shutdown starts (for `atexit`: at the shutdown deadline). */
  signal: AbortSignal;
  /**
   * When `signal` aborts at the latest (ms since the epoch): the hook's `timeoutMs`, or for `atexit`
   * its share of the shutdown deadline. A hook that must say why it stopped (a span flush) ends before it.
   */
  deadlineAt?: number;
  /** For `atexit`: why the process is stopping. */
  reason?: ExitReason;
  /** For `atexit` after a fatal error: the error. */
  error?: unknown;
  /**
   * For `atexit`: the signal that began the stop (`'SIGTERM'`, `'SIGINT'`, `'SIGHUP'` ...), as NestJS
   * passes it to its shutdown hooks; undefined when no signal began it (a stop message, an error, `shutdown()`).
   */
  stopSignal?: NodeJS.Signals;
  /**
   * The ms left before `deadlineAt`, less `marginMs`, and at least 1: the budget of work that must end
   * before the hook is cut off (a flush that should say what it lost). `marginMs` is a number of ms, or
   * a function of the ms left (`(left) => Math.min(250, Math.floor(left / 10))`: a tenth, at most 250 ms).
   * `Infinity` where there is no deadline (the context `main` receives).
   */
  timeLeft(marginMs?: Margin): number;
}

/** Fields a caller may set when it builds a context; the rest is detected (or, for the stop's fields, set by the stop). */
export type ContextOverrides = Partial<Omit<HookContext, 'phase' | 'signal' | 'deadlineAt' | 'stopSignal' | 'timeLeft'>>;
