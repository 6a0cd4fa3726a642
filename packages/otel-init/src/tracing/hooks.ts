import { describeError, log, registry, REPORT_MARGIN, type HookContext, type HookRegistry } from '@forkhooks/core';
import { abortAfter } from '../shared/bounded';
import { checkApiCopies } from './checks/api-copies';
import { checkEsmLoader } from './checks/esm-loader';
import { checkLateInstrumentations } from './checks/late-instrumentation';
import { initTracing, type TracingHandle, type TracingOptions } from './init-tracing';

/**
 * The flush hook's own timeout: the longest a timer takes (about 24.8 days), so that the deadline in
 * force bounds it, not a figure read at import. In a stop, the registry gives the last atexit hook what
 * is left of the shutdown deadline, whether `shutdownTimeoutMs` or FORKHOOKS_SHUTDOWN_TIMEOUT_MS set
 * it; run without a deadline, `handle.shutdown` is still bounded by OTEL_BSP_EXPORT_TIMEOUT.
 */
export const FLUSH_HOOK_TIMEOUT_MS = 2_147_483_647;

/** Names of the hooks `registerTracingHooks` adds, for reports and ordering. */
export const TRACING_HOOK_NAMES = { init: 'otel-init.initTracing', checks: 'otel-init.checks', flush: 'otel-init.shutdown' } as const;

/**
 * Run after every other postfork hook: each tells, in one warning line naming the fix, why spans
 * cannot flow (tracing/checks/, one file each). A check never throws: it must not fail a worker.
 */
const POSTFORK_CHECKS: ReadonlyArray<readonly [name: string, check: (handle: TracingHandle) => void]> = [
  ['api copies', (handle) => checkApiCopies(handle)],
  ['ESM loader', () => checkEsmLoader()],
  ['late instrumentations', () => checkLateInstrumentations()],
];

/**
 * Registers initTracing as a postfork hook (early: order -1000, so other hooks are traced) and its
 * flush as an atexit hook (which, LIFO, runs last: after the other hooks' spans ended).
 */
export function registerTracingHooks(options: Omit<TracingOptions, 'context'> = {}, target: HookRegistry = registry): () => void {
  let handle: ReturnType<typeof initTracing> | undefined;
  const undoInit = target.add(
    'postfork',
    (ctx: HookContext) => {
      handle = initTracing({ ...options, context: ctx });
    },
    { name: TRACING_HOOK_NAMES.init, order: -1000 },
  );
  // After every other postfork hook (they may enable instrumentations too): say why spans cannot flow.
  const undoChecks = target.add('postfork', () => handle && runChecks(handle), { name: TRACING_HOOK_NAMES.checks, order: 1_000_000 });
  // The flush may use the whole shutdown deadline in force (shutdownTimeoutMs, or FORKHOOKS_SHUTDOWN_TIMEOUT_MS):
  // the registry gives the last atexit hook what is left of it. It stops itself a little before that,
  // so the line the user sees says what failed and how many spans were lost.
  const undoFlush = target.add(
    'atexit',
    (ctx: HookContext) => {
      if (!handle) return undefined;
      // What is left of this hook's own budget (its share of the atexit deadline; the drain before atexit is not in it),
      // less core's REPORT_MARGIN, so that the line the user sees is the flush's own.
      const budget = ctx.timeLeft(REPORT_MARGIN);
      const bound = abortAfter(ctx.signal, budget);
      return handle.shutdown(bound.signal).finally(bound.done);
    },
    { name: TRACING_HOOK_NAMES.flush, order: -1000, timeoutMs: FLUSH_HOOK_TIMEOUT_MS },
  );
  return () => {
    undoInit();
    undoChecks();
    undoFlush();
  };
}

function runChecks(handle: TracingHandle): void {
  for (const [name, check] of POSTFORK_CHECKS) {
    try {
      check(handle);
    } catch (error) {
      log.warn(`tracing check "${name}" could not run: ${describeError(error)}`);
    }
  }
}
