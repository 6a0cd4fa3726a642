import type { BaseContext } from './context';
import { EnvVars, envInteger } from './env';
import { HookError, describe, isInstance, safeStack } from './errors/hook.error';
import { log } from './logger';
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

/** Creates the one shutdown of a process (or thread). */
export function createShutdown(options: ShutdownOptions): Shutdown {
  let running: Promise<RunReport> | undefined;
  const ignored = onceEach();
  return {
    get stopping() {
      return running !== undefined;
    },
    stop(reason, error, detail) {
      if (running) {
        // Once per kind: a flood of the same event (an error in a loop) must not become a flood of lines.
        if (ignored(detail ?? reason)) log.info(`already stopping; ignoring ${detail ?? reason}`);
        return running;
      }
      running = run(options, reason, error, detail);
      return running;
    },
  };
}

async function run(options: ShutdownOptions, reason: ExitReason, error: unknown, detail: string | undefined): Promise<RunReport> {
  const { registry, context, timeoutMs } = options;
  const code = reason === 'error' ? 1 : 0;
  if (reason === 'error') log.error(fatalMessage(error, detail, options.label));
  else log.info(`stopping (${detail ?? reason}): running atexit hooks, deadline ${timeoutMs} ms`);

  registry.beginShutdown(new Error(`shutdown started (${detail ?? reason})`));
  // A ref'd timer: an unref'd one would let a hook that awaits nothing end the process early.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error(`the shutdown deadline of ${timeoutMs} ms passed (raise shutdownTimeoutMs or FORKHOOKS_SHUTDOWN_TIMEOUT_MS, or make atexit hooks faster)`)), timeoutMs);
  const aborted = new Promise<void>((resolve) => deadline.signal.addEventListener('abort', () => resolve(), { once: true }));

  await Promise.race([options.before?.().catch(() => undefined), aborted]);
  const deadlineAt = Date.now() + timeoutMs;
  const report = await registry.run('atexit', { ...context, reason, ...(error !== undefined && { error }), signal: deadline.signal, deadlineAt });
  clearTimeout(timer);

  const failed = report.results.filter((r) => r.status === 'failed' || r.status === 'timeout');
  log.info(`atexit done: ${report.results.length - failed.length}/${report.results.length} hooks ok; exiting ${code}`);
  await options.beforeExit?.(code, reason, error).catch(() => undefined);
  (options.exit ?? ((c: number) => process.exit(c)))(code);
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
