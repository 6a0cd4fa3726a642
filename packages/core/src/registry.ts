// One file over 200 lines on purpose: the registry is one concept (order, timeouts, failures, the
// once-per-process runs, instances added late), and its private state (#hooks, #runs, #started) is
// shared by every method; split across files, those rules would need that state made public.
import 'reflect-metadata';
import { describe, type HookError } from './errors/hook.error';
import { LateHookError } from './errors/late-hook.error';
import { log } from './logger';
import { INSTANCE_HOOKS_KEY, type InstanceHookRecord } from './metadata-keys';
import { assertPhase, functionName, resolveOptions } from './options';
import { runHook, runScope, type RunScope } from './run-hook';
import type { HookContext } from './types/hook-context';
import type { HookFn, HookOptions } from './types/hook-options';
import type { ProcessRole, RegisteredHook, RunContext, RunReport } from './types/hook-result';
import type { Phase } from './types/phase';

/**
 * Holds the hooks of each phase and runs them: in order, one at a time, each bounded by its timeout.
 * Decorators only record; every rule about order, failure and timing lives here.
 */
export class HookRegistry {
  #hooks: RegisteredHook[] = [];
  #seq = 0;
  /** Phases that started running in this process: adding to them now would be a hook that never runs. */
  readonly #started = new Set<Phase>();
  /** postfork and atexit run once per process; a second run gets the first one's result. */
  readonly #runs = new Map<Phase, Promise<RunReport>>();
  readonly #onceDone = new WeakSet<RegisteredHook>();
  readonly #instances = new WeakMap<object, InstanceRegistration>();
  readonly #shutdown = new AbortController();
  /** The context postfork ran with (until it fails): an instance added after it runs its postfork hooks with the same one. */
  #postforkContext: Omit<RunContext, 'deadlineAt' | 'role'> | undefined;

  /** Registers `fn` for `phase`. Validates everything first; returns a function that unregisters it. */
  add(phase: Phase, fn: HookFn, options?: HookOptions): () => void {
    const resolved = resolveOptions(phase, fn, options, functionName(fn));
    if (this.#isLate(phase)) throw new LateHookError(phase, resolved.name);
    const hook: RegisteredHook = { ...resolved, phase, fn, seq: this.#seq++ };
    this.#hooks.push(hook);
    return () => {
      this.#hooks = this.#hooks.filter((h) => h !== hook);
    };
  }

  /**
   * Registers the decorated instance methods of `obj`, bound to it. Hooks on instance methods run only
   * for instances added here. Adding the same object twice is a no-op. Returns an unregister function.
   *
   * In a worker after postfork ran (a NestJS provider is built inside the worker's main), the
   * instance's postfork hooks run at once, in their order, with the context postfork ran with; its
   * atexit hooks register as usual. `ready` settles when they have run: it rejects with the HookError
   * of a critical hook that failed (also logged). Elsewhere `ready` resolves at once with no results.
   * Throws LateHookError where a hook of `obj` could not run any more: a prefork hook after prefork
   * ran here, or anything once shutdown has begun.
   */
  addInstance(obj: object): InstanceRegistration {
    if (typeof obj !== 'object' || obj === null) {
      throw new TypeError(`registry.addInstance expects an object instance, got ${obj === null ? 'null' : typeof obj}`);
    }
    const existing = this.#instances.get(obj);
    if (existing) return existing;
    const records = instanceRecords(obj);
    const className = obj.constructor?.name || 'Object';
    if (records.length === 0) {
      throw new TypeError(
        `registry.addInstance: ${className} has no @prefork/@postfork/@atexit instance methods; ` +
          'decorate a method of its class, or register static methods and functions without addInstance',
      );
    }
    const lateHooks: RegisteredHook[] = [];
    const unregister: Array<() => void> = [];
    try {
      for (const record of records) {
        const bound: HookFn = (ctx: HookContext) => (record.fn as (this: object, ctx: HookContext) => unknown).call(obj, ctx);
        const name = record.options?.name ?? `${className}.${String(record.key)}`;
        if (record.phase === 'postfork' && this.#postforkContext && !this.#shutdown.signal.aborted) {
          // After the fork: run it now instead of registering a hook that would never run.
          const resolved = resolveOptions('postfork', bound, { ...record.options, name }, name);
          lateHooks.push({ ...resolved, phase: 'postfork', fn: bound, seq: this.#seq++ });
          continue;
        }
        unregister.push(this.add(record.phase, bound, { ...record.options, name }));
      }
    } catch (error) {
      unregister.forEach((undo) => undo());
      throw error;
    }
    const undoAll = (): void => {
      unregister.forEach((undo) => undo());
      this.#instances.delete(obj);
    };
    const registration: InstanceRegistration = Object.assign(undoAll, { ready: this.#runLate(className, lateHooks) });
    this.#instances.set(obj, registration);
    return registration;
  }

  /**
   * Runs the postfork hooks of an instance added after postfork, at once: not after the postfork run,
   * which may itself be the caller (a postfork hook that builds the app and awaits `ready`).
   */
  async #runLate(className: string, hooks: RegisteredHook[]): Promise<RunReport> {
    if (hooks.length === 0) return { phase: 'postfork', results: [] };
    log.debug(`${className} was added after postfork ran: running its postfork hook(s) now: ${hooks.map((h) => h.name).join(', ')}`);
    const sorted = [...hooks].sort((a, b) => a.order - b.order || a.seq - b.seq);
    const ctx = this.#postforkContext!;
    const scope = runScope(ctx.signal ? AbortSignal.any([ctx.signal, this.#shutdown.signal]) : this.#shutdown.signal);
    try {
      return await this.#runHooks('postfork', sorted, { ...ctx, phase: 'postfork' }, scope, undefined);
    } catch (error) {
      log.error(`postfork of ${className} (added after postfork ran) failed: ${describe(error)}`);
      throw error;
    } finally {
      scope.dispose();
    }
  }

  /** The hooks of `phase` in run order: ascending `order`, then registration; `atexit` reversed (LIFO). */
  hooks(phase: Phase): readonly RegisteredHook[] {
    assertPhase(phase, `registry.hooks(${String(phase)})`);
    const sorted = this.#hooks.filter((h) => h.phase === phase).sort((a, b) => a.order - b.order || a.seq - b.seq);
    return phase === 'atexit' ? sorted.reverse() : sorted;
  }

  /** A hook of `phase` added now would never run: its phase started, or teardown did (nothing else runs after it). */
  #isLate(phase: Phase): boolean {
    return this.#started.has(phase) || this.#started.has('atexit');
  }

  /** Whether `phase` has started running in this process. */
  hasRun(phase: Phase): boolean {
    return this.#started.has(phase);
  }

  /** Aborted when shutdown starts: start-up hooks still running are cut off, and `atexit` may begin. */
  get shutdownSignal(): AbortSignal {
    return this.#shutdown.signal;
  }

  /** Marks the start of shutdown: aborts every running prefork/postfork hook's signal. Idempotent. */
  beginShutdown(reason: unknown = new Error('shutdown started')): void {
    if (!this.#shutdown.signal.aborted) this.#shutdown.abort(reason);
  }

  /**
   * Runs the hooks of `phase` with `ctx`. prefork/postfork: a failing critical hook rejects with its
   * HookError and stops the phase. atexit: every hook runs, failures are reported, never thrown.
   */
  run(phase: Phase, ctx: RunContext): Promise<RunReport> {
    assertPhase(phase, `registry.run(${String(phase)})`);
    const previous = this.#runs.get(phase);
    if (previous) return previous;
    this.#started.add(phase);
    const running = this.#runPhase(phase, ctx);
    if (phase !== 'prefork') this.#runs.set(phase, running);
    return running;
  }

  async #runPhase(phase: Phase, ctx: RunContext): Promise<RunReport> {
    if (phase === 'atexit') this.beginShutdown(new Error(`atexit started (${ctx.reason ?? 'exit'})`));
    // Start-up hooks are cut off when shutdown begins; teardown hooks only by the caller's deadline.
    const outer =
      phase === 'atexit'
        ? (ctx.signal ?? new AbortController().signal)
        : ctx.signal
          ? AbortSignal.any([ctx.signal, this.#shutdown.signal])
          : this.#shutdown.signal;
    const scope = runScope(outer);
    // deadlineAt and role are the registry's to read, not fields of the hooks' context.
    const { deadlineAt, role, ...rest } = ctx;
    if (phase === 'postfork') this.#postforkContext = rest;
    const hooks = phase === 'atexit' ? this.hooks(phase).filter(inScope(role ?? this.#role())) : this.hooks(phase);
    try {
      return await this.#runHooks(phase, hooks, { ...rest, phase }, scope, phase === 'atexit' ? deadlineAt : undefined);
    } catch (error) {
      // The worker is failing to start: an instance added now could not sensibly run its postfork.
      if (phase === 'postfork') this.#postforkContext = undefined;
      throw error;
    } finally {
      scope.dispose();
    }
  }

  /** Where this process is, from what ran in it (see RunContext.role). */
  #role(): ProcessRole {
    const spawned = this.#started.has('prefork');
    if (this.#started.has('postfork')) return spawned ? 'standalone' : 'worker';
    return spawned ? 'primary' : 'standalone';
  }

  async #runHooks(
    phase: Phase,
    hooks: readonly RegisteredHook[],
    base: Omit<HookContext, 'signal' | 'timeLeft'>,
    scope: RunScope,
    deadlineAt: number | undefined,
  ): Promise<RunReport> {
    const report: RunReport = { phase, results: [] };
    for (const [index, hook] of hooks.entries()) {
      if (hook.once && this.#onceDone.has(hook)) {
        report.results.push({ name: hook.name, status: 'skipped', durationMs: 0 });
        continue;
      }
      this.#onceDone.add(hook);
      const result = await runHook(withinShare(hook, deadlineAt, hooks.length - index), base, scope);
      report.results.push(result);
      if (result.status === 'ok' || result.status === 'skipped') continue;
      if (phase !== 'atexit' && hook.critical) {
        const error = result.error as HookError;
        error.report = report;
        throw error;
      }
      log.warn(`${describe(result.error)}${phase === 'atexit' ? '' : ' (best-effort hook: the phase goes on)'}`);
    }
    return report;
  }
}

/** An instance's unregister function, and the run of its postfork hooks when it was added after postfork. */
export type InstanceRegistration = (() => void) & { readonly ready: Promise<RunReport> };

/** Whether an atexit hook runs in a process of `role`. */
function inScope(role: ProcessRole): (hook: RegisteredHook) => boolean {
  return (hook) => role === 'standalone' || hook.scope === 'all' || (hook.scope ?? 'worker') === role;
}

/**
 * Teardown: an atexit hook may take its own timeoutMs, but while other hooks wait after it, no more
 * than half of the time left before the shutdown deadline; the last one may take all that is left.
 * One that hangs is cut off there, and the hooks after it (the flushes, which run last) still get the
 * other half; time a quick hook leaves unused goes to the next ones. (An equal share for each would
 * cut a legitimately slow first hook, such as a pool draining its queries, as soon as a few quick
 * hooks are registered after it.)
 */
function withinShare(hook: RegisteredHook, deadlineAt: number | undefined, hooksLeft: number): RegisteredHook {
  if (deadlineAt === undefined) return hook;
  const left = deadlineAt - Date.now();
  const share = Math.max(1, Math.floor(hooksLeft > 1 ? left / 2 : left));
  return share < hook.timeoutMs ? { ...hook, timeoutMs: share } : hook;
}

/** Decorated instance methods of `obj`: its own records (standard decorators) and its prototypes' (legacy). */
function instanceRecords(obj: object): InstanceHookRecord[] {
  const levels: object[] = [];
  for (let target: object | null = obj; target && target !== Object.prototype; target = Object.getPrototypeOf(target)) {
    levels.unshift(target);
  }
  // Base class first; a subclass that decorates the same method again replaces the base's record in place.
  const byMethod = new Map<string, InstanceHookRecord>();
  for (const level of levels) {
    const own = (Reflect.getOwnMetadata(INSTANCE_HOOKS_KEY, level) as InstanceHookRecord[] | undefined) ?? [];
    for (const record of own) byMethod.set(`${record.phase}:${String(record.key)}`, record);
  }
  return [...byMethod.values()];
}
