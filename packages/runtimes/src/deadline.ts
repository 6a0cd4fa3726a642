/**
 * How long a manager waits past the worker's own shutdown deadline before it forces the stop: the
 * worker also needs to let start-up hooks settle, report, and exit after its atexit hooks.
 */
export const STOP_MARGIN_MS = 1_000;

/** How long a manager waits for a process it SIGKILLed (or a thread it terminated) to be reported gone. */
export const KILL_WAIT_MS = 2_000;
