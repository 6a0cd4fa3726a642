import type { RunReport } from '../types/hook-result';
import type { ProcessStop } from './drain-stage';
import type { StopRequest, StopStage } from './stop-plan';

/**
 * The atexit stage: every atexit hook (LIFO), within the shutdown deadline, told why the process
 * stops (`reason`, `error`, `stopSignal`). `done` receives the registry's report. Ran out: the
 * deadline passed with a hook still running, or with hooks left that never ran.
 */
export function atexitStage(stop: ProcessStop, request: StopRequest, done: (report: RunReport) => void): StopStage {
  const { timeoutMs, drainTimeoutMs, drainSharesDeadline } = stop;
  return {
    name: 'atexit',
    plannedMs: drainSharesDeadline ? Math.max(0, timeoutMs - Math.min(drainTimeoutMs, timeoutMs)) : timeoutMs,
    // Sharing the deadline with the drain (PM2): atexit gets what the drain left of it.
    budgetMs: () => (drainSharesDeadline ? Math.max(1, timeoutMs - (Date.now() - (stop.startedAt ?? Date.now()))) : timeoutMs),
    async run(budgetMs) {
      stop.onPhase?.('atexit');
      const deadlineAt = Date.now() + budgetMs;
      // A ref'd timer: an unref'd one would let a hook that awaits nothing end the process early.
      const deadline = new AbortController();
      const timer = setTimeout(
        () => deadline.abort(new Error(`the shutdown deadline of ${budgetMs} ms passed (raise shutdownTimeoutMs or FORKHOOKS_SHUTDOWN_TIMEOUT_MS, or make atexit hooks faster)`)),
        budgetMs,
      );
      const aborted = new Promise<void>((resolve) => deadline.signal.addEventListener('abort', () => resolve(), { once: true }));
      await Promise.race([stop.started ?? Promise.resolve(), aborted]);
      const { reason, error, signal } = request;
      const report = await stop.registry.run('atexit', {
        ...stop.context,
        reason,
        ...(error !== undefined && { error }),
        ...(signal !== undefined && { stopSignal: signal }),
        signal: deadline.signal,
        deadlineAt,
      });
      clearTimeout(timer);
      done(report);
      // The last hook's share ends at the deadline itself, its timer a moment before the abort's.
      const timedOut = report.results.some((r) => r.status === 'timeout');
      return !(timedOut && (deadline.signal.aborted || Date.now() >= deadlineAt - 1));
    },
  };
}
