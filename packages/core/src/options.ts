import { InvalidHookOptionError } from './errors/invalid-option.error';
import { ATEXIT_SCOPES, type AtexitScope, type HookOptions, type ResolvedHookOptions } from './types/hook-options';
import { PHASES, type Phase } from './types/phase';

/** Default `timeoutMs` per phase: start-up hooks may connect somewhere; teardown must fit in a kill timeout. */
export const DEFAULT_TIMEOUT_MS: Readonly<Record<Phase, number>> = { prefork: 10_000, postfork: 10_000, atexit: 5_000 };

const KNOWN: ReadonlySet<string> = new Set(['name', 'order', 'timeoutMs', 'critical', 'once', 'when', 'scope']);
const LIKELY_TYPOS: Readonly<Record<string, string>> = { timeout: 'timeoutMs', priority: 'order', filter: 'when', required: 'critical' };

/** Checks a phase name; throws naming the bad value. */
export function assertPhase(phase: unknown, hookName: string): asserts phase is Phase {
  if (!PHASES.includes(phase as Phase)) {
    throw new InvalidHookOptionError('phase', hookName, `${JSON.stringify(phase)} is not a phase; use one of ${PHASES.join(', ')}`);
  }
}

/** Validates `options` for a hook of `phase` and fills in the defaults. Throws before anything is stored. */
export function resolveOptions(phase: Phase, fn: unknown, options: HookOptions | undefined, defaultName: string): ResolvedHookOptions {
  const name = options?.name ?? defaultName;
  if (typeof name !== 'string' || name.trim() === '') {
    throw new InvalidHookOptionError('name', String(name), 'name must be a non-empty string');
  }
  assertPhase(phase, name);
  if (typeof fn !== 'function') {
    throw new InvalidHookOptionError('hook', name, `a ${phase} hook must be a function, got ${fn === null ? 'null' : typeof fn}`);
  }
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new InvalidHookOptionError('options', name, `options must be an object like { order: 1 }, got ${JSON.stringify(options)}`);
  }
  for (const key of Object.keys(options ?? {})) {
    if (!KNOWN.has(key)) {
      const hint = LIKELY_TYPOS[key] ? `; did you mean "${LIKELY_TYPOS[key]}"?` : '';
      throw new InvalidHookOptionError(key, name, `unknown option "${key}"; allowed: ${[...KNOWN].join(', ')}${hint}`);
    }
  }
  const { order = 0, timeoutMs = DEFAULT_TIMEOUT_MS[phase], critical = true, once = false, when } = options ?? {};
  if (typeof order !== 'number' || !Number.isFinite(order)) {
    throw new InvalidHookOptionError('order', name, `order must be a finite number, got ${String(order)}`);
  }
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new InvalidHookOptionError('timeoutMs', name, `timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`);
  }
  if (typeof critical !== 'boolean') {
    throw new InvalidHookOptionError('critical', name, `critical must be true or false, got ${String(critical)}`);
  }
  if (typeof once !== 'boolean') {
    throw new InvalidHookOptionError('once', name, `once must be true or false, got ${String(once)}`);
  }
  if (when !== undefined && typeof when !== 'function') {
    throw new InvalidHookOptionError('when', name, `when must be a function (ctx) => boolean, got ${typeof when}`);
  }
  return { name, order, timeoutMs, critical, once, when, scope: resolveScope(phase, name, options?.scope) };
}

/** The default name of a plain-function hook. */
export function functionName(fn: unknown): string {
  return typeof fn === 'function' && fn.name ? fn.name : 'anonymous';
}

/** `scope` says where teardown runs: it belongs to atexit hooks only, and is one of ATEXIT_SCOPES. */
function resolveScope(phase: Phase, name: string, scope: unknown): AtexitScope | undefined {
  const allowed = ATEXIT_SCOPES.map((s) => `'${s}'`).join(', ');
  if (phase !== 'atexit') {
    if (scope === undefined) return undefined;
    throw new InvalidHookOptionError('scope', name, `scope applies only to atexit hooks (${allowed}); a ${phase} hook runs where its phase runs, so remove scope from it`);
  }
  if (scope === undefined) return 'worker';
  if (!ATEXIT_SCOPES.includes(scope as AtexitScope)) {
    throw new InvalidHookOptionError('scope', name, `scope must be one of ${allowed}, got ${JSON.stringify(scope)}`);
  }
  return scope as AtexitScope;
}
