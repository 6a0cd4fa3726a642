import { HookError, describe } from './errors/hook.error';
import { HookTimeoutError } from './errors/hook-timeout.error';
import type { HookContext } from './types/hook-context';
import type { HookResult, RegisteredHook } from './types/hook-result';

/**
 * Runs one hook with its own AbortSignal, aborted at its timeout or when `outer` aborts
 * (shutdown started, or the shutdown deadline passed). Never throws: the outcome is in the result.
 */
export async function runHook(hook: RegisteredHook, base: Omit<HookContext, 'signal'>, outer: AbortSignal): Promise<HookResult> {
  const started = performance.now();
  const elapsed = (): number => Math.round((performance.now() - started) * 1000) / 1000;
  const own = new AbortController();
  const ctx: HookContext = { ...base, phase: hook.phase, signal: AbortSignal.any([own.signal, outer]) };

  if (outer.aborted) {
    const error = new HookTimeoutError(hook.phase, hook.name, hook.timeoutMs, `did not run: ${describe(outer.reason)}`);
    return { name: hook.name, status: 'timeout', durationMs: 0, error };
  }

  let timer: NodeJS.Timeout | undefined;
  let onOuterAbort: (() => void) | undefined;
  try {
    if (hook.when !== undefined && !hook.when(ctx)) {
      return { name: hook.name, status: 'skipped', durationMs: elapsed() };
    }
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HookTimeoutError(hook.phase, hook.name, hook.timeoutMs)), hook.timeoutMs);
      onOuterAbort = () =>
        reject(new HookTimeoutError(hook.phase, hook.name, hook.timeoutMs, `was cut off: ${describe(outer.reason)}`));
      outer.addEventListener('abort', onOuterAbort, { once: true });
    });
    // then() turns a synchronous throw into a rejection, so both fail the same way.
    await Promise.race([Promise.resolve().then(() => hook.fn(ctx)), deadline]);
    return { name: hook.name, status: 'ok', durationMs: elapsed() };
  } catch (cause) {
    const error = cause instanceof HookTimeoutError ? cause : new HookError(hook.phase, hook.name, cause);
    own.abort(error);
    return { name: hook.name, status: error instanceof HookTimeoutError ? 'timeout' : 'failed', durationMs: elapsed(), error };
  } finally {
    clearTimeout(timer);
    if (onOuterAbort) outer.removeEventListener('abort', onOuterAbort);
  }
}
