import type { HookContext } from './hook-context';

/** A lifecycle hook: sync or async, given the context of the phase it runs in. */
export type HookFn = (ctx: HookContext) => unknown;

/** Options accepted by `registry.add` and by every decorator. */
export interface HookOptions {
  /** Shown in reports and errors. Default: the function's name, or `Class.method`. */
  name?: string;
  /** Lower runs first (`atexit` runs in reverse). Default 0; ties keep registration order. */
  order?: number;
  /** How long the hook may take. Default 10,000 ms for prefork/postfork, 5,000 ms for atexit. */
  timeoutMs?: number;
  /** true (default): a failure stops prefork/postfork and the process fails to start. false: reported, the phase goes on. */
  critical?: boolean;
  /** Run only the first time the phase runs in this process (matters for `prefork`, which runs once per spawn). */
  once?: boolean;
  /** Filter: the hook runs only where this returns true (for example `ctx => ctx.workerIndex === 0`). */
  when?: (ctx: HookContext) => boolean;
  /**
   * `atexit` only: where the teardown runs. `'worker'` (default): where postfork ran (each worker, and a
   * standalone process). `'primary'`: in the manager (runCluster's primary) and a standalone process.
   * `'all'`: everywhere. Gunicorn's `worker_exit` vs `on_exit`.
   */
  scope?: AtexitScope;
}

/** Where an `atexit` hook runs: see `HookOptions.scope`. */
export type AtexitScope = 'worker' | 'primary' | 'all';

/** Every `scope` value, for validation. */
export const ATEXIT_SCOPES: readonly AtexitScope[] = ['worker', 'primary', 'all'];

/** Options after validation, with every default filled in. */
export interface ResolvedHookOptions {
  name: string;
  order: number;
  timeoutMs: number;
  critical: boolean;
  once: boolean;
  when: ((ctx: HookContext) => boolean) | undefined;
  /** `atexit` hooks: their scope ('worker' by default); undefined for prefork/postfork. */
  scope: AtexitScope | undefined;
}
