/**
 * The stop's budgets, computed in one place: what a manager gives a worker it asked to stop (and
 * what the worker's own orphan watchdog allows itself), and what is left of a deadline.
 */

/**
 * How long a manager waits past the worker's own drain and atexit deadline before it forces the stop
 * (and how long an orphaned worker's watchdog waits past them): the worker also needs to let start-up
 * hooks settle, report, and exit after its atexit hooks.
 */
export const STOP_MARGIN_MS = 1_000;

/** How long a manager waits for a process it SIGKILLed (or a thread it terminated) to be reported gone. */
export const KILL_WAIT_MS = 2_000;

/** The whole stop of a worker, from the request to its exit at the latest: its drain, its atexit deadline, then the grace margin. */
export function stopBudgetMs(drainTimeoutMs: number, shutdownTimeoutMs: number): number {
  return drainTimeoutMs + shutdownTimeoutMs + STOP_MARGIN_MS;
}

/** The budget spelled out, for the forced-kill line: `3500 ms (drain 1000 + atexit 1500 + grace 1000 ms)`. */
export function describeBudget(drainTimeoutMs: number, shutdownTimeoutMs: number): string {
  return `${stopBudgetMs(drainTimeoutMs, shutdownTimeoutMs)} ms (drain ${drainTimeoutMs} + atexit ${shutdownTimeoutMs} + grace ${STOP_MARGIN_MS} ms)`;
}

/**
 * A margin to keep back from what is left: a number of ms, or a function of the ms left (for
 * example a tenth of it, at most 250 ms: `(left) => Math.min(250, Math.floor(left / 10))`).
 */
export type Margin = number | ((leftMs: number) => number);

/**
 * What a hook that must say why it did not finish (a flush at exit) keeps back from its deadline, so
 * that its own line, not the registry's generic timeout, tells the user what was lost: a tenth of
 * what is left, at most 250 ms. `ctx.timeLeft(REPORT_MARGIN)`.
 */
export const REPORT_MARGIN: Margin = (leftMs) => Math.min(250, Math.floor(leftMs / 10));

/**
 * The ms left before `deadlineAt` (ms since the epoch), less `margin`, at least 1 (a budget handed to
 * a timer or an abort is never 0 or negative). No deadline: `Infinity`.
 */
export function timeLeft(deadlineAt: number | undefined, margin: Margin = 0): number {
  if (deadlineAt === undefined) return Number.POSITIVE_INFINITY;
  const left = deadlineAt - Date.now();
  return Math.max(1, left - (typeof margin === 'function' ? margin(left) : margin));
}
