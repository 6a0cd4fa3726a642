/** The three lifecycle phases, in the order a worker meets them. */
export type Phase = 'prefork' | 'postfork' | 'atexit';

/** Every phase name, for validation and iteration. */
export const PHASES: readonly Phase[] = ['prefork', 'postfork', 'atexit'];

/** The worker runtime a process was started by. */
export type Runtime = 'cluster' | 'child_process' | 'worker_threads' | 'pm2' | 'standalone' | 'custom';

/** Every runtime name, for validation of overrides and environment variables. */
export const RUNTIMES: readonly Runtime[] = ['cluster', 'child_process', 'worker_threads', 'pm2', 'standalone', 'custom'];

/** Why `atexit` runs: a signal, the IPC channel closing, a stop message, a fatal error, or a natural end. */
export type ExitReason = 'signal' | 'disconnect' | 'message' | 'error' | 'exit';
