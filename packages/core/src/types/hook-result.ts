import type { HookContext } from './hook-context';
import type { HookFn, ResolvedHookOptions } from './hook-options';
import type { Phase } from './phase';

/** A hook as the registry holds it. */
export interface RegisteredHook extends ResolvedHookOptions {
  readonly phase: Phase;
  readonly fn: HookFn;
  /** Registration sequence number: breaks ties of `order`. */
  readonly seq: number;
}

/** How one hook ended. */
export type HookStatus = 'ok' | 'failed' | 'timeout' | 'skipped';

/** One hook's outcome in a run. */
export interface HookResult {
  name: string;
  status: HookStatus;
  durationMs: number;
  error?: Error;
}

/** The outcome of `registry.run(phase, ctx)`. */
export interface RunReport {
  phase: Phase;
  results: HookResult[];
}

/**
 * Which process an `atexit` run is in, for the hooks' `scope`: a `'worker'` runs worker and all
 * hooks, a `'primary'` (a manager) primary and all hooks, a `'standalone'` process (its own primary) every hook.
 */
export type ProcessRole = 'worker' | 'primary' | 'standalone';

/**
 * What `registry.run` needs from the caller: everything but the phase; `signal` is optional.
 * `deadlineAt` (ms since the epoch, atexit only): when `signal` will abort, so that one hook that
 * hangs cannot take the time of the hooks after it.
 * `role` (atexit only): where this run is. Default: from what ran in this process: postfork only, a
 * worker; prefork and postfork, standalone; prefork only, a primary; neither, standalone.
 */
export type RunContext = Omit<HookContext, 'phase' | 'signal' | 'timeLeft'> & {
  phase?: HookContext['phase'];
  signal?: AbortSignal;
  deadlineAt?: number;
  role?: ProcessRole;
};
