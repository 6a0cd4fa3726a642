/**
 * How long a manager waits past the worker's own shutdown deadline before it forces the stop: the
 * worker also needs to let start-up hooks settle, report, and exit after its atexit hooks.
 */
export const STOP_MARGIN_MS = 1_000;

/** How long a manager waits for a process it SIGKILLed (or a thread it terminated) to be reported gone. */
export const KILL_WAIT_MS = 2_000;

/** How long a manager gives a worker it asked to stop before it SIGKILLs it: the worker's drain, its atexit deadline, then the grace margin. */
export function stopBudgetMs(drainTimeoutMs: number, shutdownTimeoutMs: number): number {
  return drainTimeoutMs + shutdownTimeoutMs + STOP_MARGIN_MS;
}

/** The budget spelled out, for the forced-kill line: `3500 ms (drain 1000 + atexit 1500 + grace 1000 ms)`. */
export function describeBudget(drainTimeoutMs: number, shutdownTimeoutMs: number): string {
  return `${stopBudgetMs(drainTimeoutMs, shutdownTimeoutMs)} ms (drain ${drainTimeoutMs} + atexit ${shutdownTimeoutMs} + grace ${STOP_MARGIN_MS} ms)`;
}
