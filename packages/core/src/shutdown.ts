import type { BaseContext } from './context';
import { EnvVars, envInteger } from './env';
import { HookError, describe, isInstance, safeStack } from './errors/hook.error';
import { log } from './logger';
import type { StopPhase } from './messages';
import type { HookRegistry } from './registry';
import type { RunReport } from './types/hook-result';
import type { ExitReason } from './types/phase';
import { atexitStage } from './stop/atexit-stage';
import { drainStage, stoppingLine, type ProcessStop } from './stop/drain-stage';
import { createStopPlan, type StopPosition, type StopRequest, type StopStage } from './stop/stop-plan';

/** Total time atexit may take when nothing else says: enough for an OTLP flush, short of most kill timeouts. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

/** What `createShutdown` needs. */
export interface ShutdownOptions {
  registry: HookRegistry;
  context: BaseContext;
  /** Deadline for the whole atexit phase. */
  timeoutMs: number;
  /** Bound of the drain (servers given to closeOnStop) that runs before atexit, outside its deadline. Default 0. */
  drainTimeoutMs?: number;
  /**
   * The drain comes out of `timeoutMs` instead of adding to it: atexit gets what the drain left. For a
   * manager that kills at a fixed time (PM2's kill_timeout), where a drain on top would be killed.
   */
  drainSharesDeadline?: boolean;
  /** Repeated Ctrl-C: the 2nd says how to force, the 3rd exits 130 at once. Default true; false in a managed worker (its manager forces). */
  forceOnInterrupt?: boolean;
  /** Told when the stop reaches its drain and its atexit (a managed worker tells its manager). */
  onPhase?: (phase: StopPhase) => void;
  /** A runCluster worker: after its drain it waits until the primary routes it no more connections (stop/routing-barrier.ts). */
  routingBarrier?: boolean;
  /** May raise the exit code once atexit is done (a manager whose worker had to be killed). */
  exitCode?: (code: number) => number;
  /** Settles before atexit starts (start-up hooks still running are aborted first). */
  before?: () => Promise<unknown>;
  /** Runs after atexit, before the exit: tell a manager why. */
  beforeExit?: (code: number, reason: ExitReason, error: unknown) => Promise<void>;
  /** How the process ends; default `process.exit`. */
  exit?: (code: number) => void;
  /** Who fails, in the fatal message: default 'worker' ('cluster primary' for a manager). */
  label?: string;
  /** The fatal error of a stop that was said already, in its own line (a manager's crash loop): not said twice. Default: none. */
  fatalSaid?: (error: unknown) => boolean;
  /** A manager's own stages, before its drain and atexit: stopping its workers. */
  stages?: (request: StopRequest) => readonly StopStage[];
  /** What a forced exit (repeated Ctrl-C) cuts off; it may kill what must die first. Default: by stage. */
  force?: (position: StopPosition) => string;
  /** A repeated stop request logged at debug instead of "already stopping" once at info. Default: a stop message; a managed worker's signal. */
  expected?: (request: StopRequest) => boolean;
}

/** One idempotent shutdown: the first call runs atexit within the deadline and exits; later calls get the same promise. */
export interface Shutdown {
  stop(reason: ExitReason, error?: unknown, detail?: string): Promise<RunReport>;
  readonly stopping: boolean;
  /** Something had to be forced (a manager's worker SIGKILLed): a stop that would exit 0 exits 1. */
  forced(): void;
}

/**
 * Creates the one shutdown of a process (or thread), on the stop plan: a manager's own stages first
 * (`stages`), then the drain, then atexit, then the exit.
 */
export function createShutdown(options: ShutdownOptions): Shutdown {
  const { registry, context, timeoutMs, drainTimeoutMs = 0, drainSharesDeadline = false } = options;
  const stop: ProcessStop = { registry, context, timeoutMs, drainTimeoutMs, drainSharesDeadline, onPhase: options.onPhase, routingBarrier: options.routingBarrier, before: options.before };
  let report: RunReport = { phase: 'atexit', results: [] };
  const announce = (request: StopRequest, servers: number): void => {
    if (request.reason === 'error') {
      if (!options.fatalSaid?.(request.error)) log.error(fatalMessage(request.error, request.detail, options.label));
    } else log.info(stoppingLine(stop, request, servers));
  };
  const plan = createStopPlan<RunReport>({
    stages: (request) => [...(options.stages?.(request) ?? []), drainStage(stop, request, announce), atexitStage(stop, request, (r) => (report = r))],
    end: async ({ reason, error }, exitCode) => {
      const failed = report.results.filter((r) => r.status === 'failed' || r.status === 'timeout');
      log.info(`atexit done: ${report.results.length - failed.length}/${report.results.length} hooks ok; exiting ${exitCode}`);
      await options.beforeExit?.(exitCode, reason, error).catch(() => undefined);
      (options.exit ?? ((c: number) => process.exit(c)))(exitCode);
      return report;
    },
    forceOnInterrupt: options.forceOnInterrupt,
    force: options.force,
    // A terminal's Ctrl-C (or a closed terminal's HUP) reaches the whole group: a managed worker gets
    // both the signal and its manager's stop message, and its manager forces a repeated Ctrl-C for all.
    expected: options.expected ?? (({ reason }) => reason === 'message' || (options.forceOnInterrupt === false && reason === 'signal')),
    exitCode: options.exitCode,
    exit: options.exit,
  });
  return {
    get stopping() {
      return plan.stopping;
    },
    forced: () => plan.forced(),
    stop: (reason, error, detail) => plan.stop(reason, error, detail),
  };
}

/** The one line a user needs after a fatal error: which hook, which phase, why. */
export function fatalMessage(error: unknown, detail?: string, label = 'worker'): string {
  // Every read of `error` is guarded: a value that cannot be described must not stop the flush.
  if (isInstance(error, HookError)) {
    const stack = safeStack(error.cause);
    return `${label} failed: ${error.message}${stack ? `\n${stack}` : ''}`;
  }
  const stack = safeStack(error);
  return `${label} failed (${detail ?? 'fatal error'}): ${describe(error)}${stack ? `\n${stack}` : ''}`;
}

/** The shutdown deadline: explicit, else FORKHOOKS_SHUTDOWN_TIMEOUT_MS, else just under PM2's kill_timeout, else the default. */
export function resolveShutdownTimeout(explicit: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  if (explicit !== undefined) {
    if (!Number.isFinite(explicit) || explicit <= 0) {
      throw new TypeError(`shutdownTimeoutMs must be a positive number of milliseconds, got ${String(explicit)}`);
    }
    return explicit;
  }
  const fromEnv = envInteger(env, EnvVars.SHUTDOWN_TIMEOUT_MS, 1);
  if (fromEnv !== undefined) return fromEnv;
  // PM2 SIGKILLs after kill_timeout (1,600 ms by default): finish before it, or lose the flush.
  const pm2Kill = Number(env.kill_timeout);
  if ((env.pm_id !== undefined || env.NODE_APP_INSTANCE !== undefined) && Number.isFinite(pm2Kill) && pm2Kill > 0) {
    return Math.max(100, pm2Kill - 200);
  }
  return DEFAULT_SHUTDOWN_TIMEOUT_MS;
}
