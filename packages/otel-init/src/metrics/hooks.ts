import { registry, REPORT_MARGIN, type HookContext, type HookRegistry } from '@forkhooks/core';
import { abortAfter } from '../shared/bounded';
import { initMetrics, type MetricsHandle, type MetricsOptions } from './init-metrics';

/** Names of the hooks `registerMetricsHooks` adds. */
export const METRICS_HOOK_NAMES = { init: 'otel-init.initMetrics', flush: 'otel-init.metrics-shutdown' } as const;

/**
 * The most the metrics flush at exit takes: one small export. The span flush runs after it (LIFO)
 * and keeps the rest of the shutdown deadline, also when the collector is down.
 */
export const METRICS_FLUSH_MAX_MS = 3_000;

/**
 * Registers initMetrics as a postfork hook (order -999: right after initTracing, whose resource it
 * takes) and its final collection and export as an atexit hook (which, LIFO, runs just before the
 * span flush).
 */
export function registerMetricsHooks(options: Omit<MetricsOptions, 'context'> = {}, target: HookRegistry = registry): () => void {
  let handle: MetricsHandle | undefined;
  const undoInit = target.add(
    'postfork',
    (ctx: HookContext) => {
      handle = initMetrics({ ...options, context: ctx });
    },
    { name: METRICS_HOOK_NAMES.init, order: -999 },
  );
  const undoFlush = target.add(
    'atexit',
    (ctx: HookContext) => {
      if (!handle?.enabled) return undefined;
      // What is left of this hook's budget (at most METRICS_FLUSH_MAX_MS, its timeoutMs), less core's
      // REPORT_MARGIN: the flush stops itself first, so the line says what was lost.
      const budget = ctx.timeLeft(REPORT_MARGIN);
      const bound = abortAfter(ctx.signal, budget);
      return handle.shutdown(bound.signal).finally(bound.done);
    },
    { name: METRICS_HOOK_NAMES.flush, order: -999, timeoutMs: METRICS_FLUSH_MAX_MS },
  );
  return () => {
    undoInit();
    undoFlush();
  };
}
