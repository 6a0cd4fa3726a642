import type { BaseContext } from './context';
import { drainServers, drainTargetCount } from './drain';
import { EnvVars, envInteger } from './env';
import { HookError, describe, isInstance, safeStack } from './errors/hook.error';
import { createInterruptGuard } from './interrupts';
import { log } from './logger';
import type { StopPhase } from './messages';
import type { HookRegistry } from './registry';
import type { RunReport } from './types/hook-result';
import type { ExitReason } from './types/phase';

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
}

/** One idempotent shutdown: the first call runs atexit within the deadline and exits; later calls get the same promise. */
export interface Shutdown {
  stop(reason: ExitReason, error?: unknown, detail?: string): Promise<RunReport>;
  readonly stopping: boolean;
}

/** Where a running stop is, for the Ctrl-C messages. */
interface Progress {
  phase: 'start-up' | 'drain' | 'atexit' | 'exit';
  /** When the stop ends at the latest (epoch ms). */
  endsAt: number;
}

/** Creates the one shutdown of a process (or thread). */
export function createShutdown(options: ShutdownOptions): Shutdown {
  let running: Promise<RunReport> | undefined;
  const ignored = onceEach();
  const progress: Progress = { phase: 'start-up', endsAt: 0 };
  const interrupts = createInterruptGuard({
    progress: () => `${PHASE_NAMES[progress.phase]}, up to ${Math.max(0, progress.endsAt - Date.now())} ms left`,
    force: () => (progress.phase === 'atexit' ? 'the atexit hooks still running (a span flush among them)' : `the ${PHASE_NAMES[progress.phase]} and every atexit hook`),
    exit: options.exit,
  });
  return {
    get stopping() {
      return running !== undefined;
    },
    stop(reason, error, detail) {
      if (running) {
        if (options.forceOnInterrupt !== false && interrupts.handle(detail)) return running;
        // A terminal's Ctrl-C (or a closed terminal's HUP) reaches the whole group: a managed worker gets
        // both the signal and its manager's stop message, and its manager forces a repeated Ctrl-C for all.
        const expected = reason === 'message' || (options.forceOnInterrupt === false && reason === 'signal');
        // Once per kind: a flood of the same event (an error in a loop) must not become a flood of lines.
        if (expected) log.debug(`already stopping; ignoring ${detail ?? reason}`);
        else if (ignored(detail ?? reason)) log.info(`already stopping; ignoring ${detail ?? reason}`);
        return running;
      }
      running = run(options, progress, reason, error, detail);
      return running;
    },
  };
}

const PHASE_NAMES: Record<Progress['phase'], string> = { 'start-up': 'start-up', drain: 'drain of open requests', atexit: 'atexit running', exit: 'exit' };

async function run(options: ShutdownOptions, progress: Progress, reason: ExitReason, error: unknown, detail: string | undefined): Promise<RunReport> {
  const { registry, context, drainTimeoutMs = 0, drainSharesDeadline = false } = options;
  const stopStarted = Date.now();
  const code = reason === 'error' ? 1 : 0;
  const servers = drainTargetCount(registry);
  const drain = servers > 0 ? `draining ${servers} server(s) (up to ${drainTimeoutMs} ms), then ` : '';
  const shared = drainSharesDeadline && servers > 0 ? ' (shared with the drain)' : '';
  if (reason === 'error') log.error(fatalMessage(error, detail, options.label));
  else log.info(`stopping (${detail ?? reason}): ${drain}running atexit hooks, deadline ${options.timeoutMs} ms${shared}`);
  progress.endsAt = stopStarted + (drainSharesDeadline ? 0 : drainTimeoutMs) + options.timeoutMs;

  registry.beginShutdown(new Error(`shutdown started (${detail ?? reason})`));
  // The drain has its own bound: requests in flight end (their spans too) before atexit, whose
  // deadline starts only after it. Start-up still running settles first, within the same bound.
  progress.phase = 'drain';
  options.onPhase?.('drain');
  const drainEnd = Date.now() + drainTimeoutMs;
  const before = options.before?.().catch(() => undefined) ?? Promise.resolve();
  let drainTimer: NodeJS.Timeout | undefined;
  const drainExpired = new Promise<false>((resolve) => (drainTimer = setTimeout(() => resolve(false), drainTimeoutMs)));
  const started = await Promise.race([before.then(() => true), drainExpired]);
  clearTimeout(drainTimer);
  if (started) await drainServers(registry, Math.max(0, drainEnd - Date.now()));

  progress.phase = 'atexit';
  options.onPhase?.('atexit');
  const timeoutMs = drainSharesDeadline ? Math.max(1, options.timeoutMs - (Date.now() - stopStarted)) : options.timeoutMs;
  progress.endsAt = Date.now() + timeoutMs;
  // A ref'd timer: an unref'd one would let a hook that awaits nothing end the process early.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error(`the shutdown deadline of ${timeoutMs} ms passed (raise shutdownTimeoutMs or FORKHOOKS_SHUTDOWN_TIMEOUT_MS, or make atexit hooks faster)`)), timeoutMs);
  const aborted = new Promise<void>((resolve) => deadline.signal.addEventListener('abort', () => resolve(), { once: true }));

  await Promise.race([before, aborted]);
  const deadlineAt = progress.endsAt;
  const report = await registry.run('atexit', { ...context, reason, ...(error !== undefined && { error }), signal: deadline.signal, deadlineAt });
  clearTimeout(timer);
  progress.phase = 'exit';

  const failed = report.results.filter((r) => r.status === 'failed' || r.status === 'timeout');
  const exitCode = options.exitCode?.(code) ?? code;
  log.info(`atexit done: ${report.results.length - failed.length}/${report.results.length} hooks ok; exiting ${exitCode}`);
  await options.beforeExit?.(exitCode, reason, error).catch(() => undefined);
  (options.exit ?? ((c: number) => process.exit(c)))(exitCode);
  return report;
}

/** Returns true the first time it sees a key, false after: for messages said once per kind. */
export function onceEach(): (key: string) => boolean {
  const seen = new Set<string>();
  return (key) => {
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
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
