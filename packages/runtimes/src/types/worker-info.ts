/** What a worker reported when it failed to start (its `{ forkhooks: 'failed' }` message). */
export interface StartFailure {
  /** `prefork` (in the manager), `postfork`, or `main`. */
  phase: string;
  /** The hook that failed; undefined when main failed. */
  hookName: string | undefined;
  message: string;
}

/** One spawned worker, as its manager sees it. */
export interface WorkerInfo {
  workerIndex: number;
  generation: number;
  workerId: string;
  /** The worker's process id (for a thread: the shared process id). */
  pid: number;
}

/** How a child process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the worker said why it failed to start. */
  failure?: StartFailure;
  /** true when its manager SIGKILLed it because it overran its drain + atexit deadline + grace. */
  forced?: boolean;
}

/** How a cluster worker ended. */
export interface WorkerExit extends WorkerInfo, ProcessExit {
  /** true when the manager asked it to stop (a graceful stop, not a crash). */
  expected: boolean;
  /** How long it ran. */
  uptimeMs: number;
  /** true when the primary SIGKILLed it after its drain + atexit deadline + grace (its atexit was cut off). */
  forced: boolean;
}
