import { HookError, describe, isInstance } from './errors/hook.error';
import { HookTimeoutError } from './errors/hook-timeout.error';
import { timeLeft, type Margin } from './stop/budget';
import type { HookContext } from './types/hook-context';
import { isThenable } from './util/is-thenable';
import type { HookResult, RegisteredHook } from './types/hook-result';

/** What the registry shares with every hook of one run: the outer signal, and a promise that settles when it aborts. */
export interface RunScope {
  readonly outer: AbortSignal;
  /** Resolves (never rejects) when `outer` aborts: one listener per run, not one per hook. */
  readonly outerAborted: Promise<typeof ABORTED>;
  /** Removes the listener on `outer`: a primary runs prefork on every spawn against one long-lived signal. */
  dispose(): void;
}

const ABORTED = Symbol('aborted');
const TIMED_OUT = Symbol('timed out');

/** Builds the scope of one run over `outer`. */
export function runScope(outer: AbortSignal): RunScope {
  let onAbort: (() => void) | undefined;
  const outerAborted = new Promise<typeof ABORTED>((resolve) => {
    onAbort = () => resolve(ABORTED);
    if (outer.aborted) onAbort();
    else outer.addEventListener('abort', onAbort, { once: true });
  });
  return { outer, outerAborted, dispose: () => onAbort && outer.removeEventListener('abort', onAbort) };
}

/**
 * Runs one hook. Its `ctx.signal` (made on first use: most hooks never read it) aborts at the
 * hook's timeout or when the run's outer signal aborts (shutdown started, or its deadline passed).
 * A hook that returns synchronously costs no timer. Never throws: the outcome is in the result.
 */
export async function runHook(hook: RegisteredHook, base: Omit<HookContext, 'signal' | 'timeLeft'>, scope: RunScope): Promise<HookResult> {
  const started = performance.now();
  const elapsed = (): number => Math.round((performance.now() - started) * 1000) / 1000;
  const { outer } = scope;
  if (outer.aborted) {
    const error = new HookTimeoutError(hook.phase, hook.name, hook.timeoutMs, `did not run: ${describe(outer.reason)}`);
    return { name: hook.name, status: 'timeout', durationMs: 0, error };
  }

  let own: AbortController | undefined;
  let signal: AbortSignal | undefined;
  const deadlineAt = Date.now() + hook.timeoutMs;
  const ctx = { ...base, phase: hook.phase, deadlineAt, timeLeft: (marginMs?: Margin) => timeLeft(deadlineAt, marginMs) } as HookContext;
  Object.defineProperty(ctx, 'signal', {
    enumerable: true,
    get: () => (signal ??= AbortSignal.any([(own ??= new AbortController()).signal, outer])),
  });
  const fail = (cause: unknown): HookResult => {
    const error = isInstance(cause, HookTimeoutError) ? cause : new HookError(hook.phase, hook.name, cause);
    (own ??= new AbortController()).abort(error);
    return { name: hook.name, status: error instanceof HookTimeoutError ? 'timeout' : 'failed', durationMs: elapsed(), error };
  };

  let returned: unknown;
  try {
    if (hook.when !== undefined && !hook.when(ctx)) return { name: hook.name, status: 'skipped', durationMs: elapsed() };
    returned = hook.fn(ctx);
    // Inside the try: reading `.then` runs a getter of the hook's value, which may throw.
    if (!isThenable(returned)) return { name: hook.name, status: 'ok', durationMs: elapsed() };
  } catch (cause) {
    return fail(cause);
  }

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), hook.timeoutMs);
  });
  try {
    const winner = await Promise.race([returned, timedOut, scope.outerAborted]);
    if (winner === TIMED_OUT) return fail(new HookTimeoutError(hook.phase, hook.name, hook.timeoutMs));
    if (winner === ABORTED) {
      return fail(new HookTimeoutError(hook.phase, hook.name, hook.timeoutMs, `was cut off: ${describe(outer.reason)}`));
    }
    return { name: hook.name, status: 'ok', durationMs: elapsed() };
  } catch (cause) {
    return fail(cause);
  } finally {
    clearTimeout(timer);
  }
}
