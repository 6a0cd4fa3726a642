import { InvalidRuntimeOptionError } from './errors/invalid-runtime-option.error';
import { checkInteger } from './validate';

/** runCluster's process-manager options: the watchdog, recycling, and the reload signal. */
export interface ManagerOptions {
  /**
   * A worker that sent no heartbeat for this long (its event loop is blocked) is SIGKILLed and replaced
   * (Gunicorn's `--timeout`, uWSGI's harakiri). It also starts the worker's orphan watchdog thread, which
   * ends a blocked worker whose primary died. Default 30,000 ms; 0 turns both off.
   */
  heartbeatTimeoutMs?: number;
  /** Recycle a worker after this many requests on the servers it gave to closeOnStop (Gunicorn's max_requests). Default: never. */
  maxRequests?: number;
  /** Adds 0..maxRequestsJitter to each worker's maxRequests, so workers do not recycle all at once. Default 0. */
  maxRequestsJitter?: number;
  /** Recycle a worker whose RSS exceeds this many MiB (PM2's max_memory_restart, uWSGI's reload-on-rss). Default: never. */
  maxMemoryMb?: number;
  /**
   * The signal that makes the primary run a rolling reload instead of a graceful stop (Gunicorn's HUP).
   * Send it to the primary's pid only. Default false: every stop signal stops.
   */
  reloadSignal?: 'SIGHUP' | 'SIGUSR2' | false;
}

/** ManagerOptions validated, with every default filled in. */
export interface ResolvedManagerOptions {
  heartbeatTimeoutMs: number;
  maxRequests: number | undefined;
  maxRequestsJitter: number;
  maxMemoryMb: number | undefined;
  reloadSignal: 'SIGHUP' | 'SIGUSR2' | false;
}

/** The keys of ManagerOptions, for the unknown-option check. */
export const MANAGER_KEYS = ['heartbeatTimeoutMs', 'maxRequests', 'maxRequestsJitter', 'maxMemoryMb', 'reloadSignal'];

/** Gunicorn's default --timeout. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 30_000;
/** Below this a busy but healthy worker (a long GC, a slow synchronous start) would be killed. */
export const MIN_HEARTBEAT_TIMEOUT_MS = 1_000;
const RELOAD_SIGNALS = ['SIGHUP', 'SIGUSR2'];

/** Validates the manager options of `caller` (a named InvalidRuntimeOptionError for each bad value). */
export function resolveManagerOptions(caller: string, options: ManagerOptions): ResolvedManagerOptions {
  const { heartbeatTimeoutMs, maxRequests, maxRequestsJitter, maxMemoryMb, reloadSignal } = options;
  checkInteger(caller, 'heartbeatTimeoutMs', heartbeatTimeoutMs, 0);
  if (heartbeatTimeoutMs !== undefined && heartbeatTimeoutMs > 0 && heartbeatTimeoutMs < MIN_HEARTBEAT_TIMEOUT_MS) {
    throw new InvalidRuntimeOptionError('heartbeatTimeoutMs', caller, `expected 0 (off) or at least ${MIN_HEARTBEAT_TIMEOUT_MS} ms, got ${heartbeatTimeoutMs}: a shorter timeout kills healthy workers during a GC pause`);
  }
  checkInteger(caller, 'maxRequests', maxRequests, 1);
  checkInteger(caller, 'maxRequestsJitter', maxRequestsJitter, 0);
  if (maxRequestsJitter !== undefined && maxRequests === undefined) {
    throw new InvalidRuntimeOptionError('maxRequestsJitter', caller, 'it only spreads maxRequests: set maxRequests too, or remove maxRequestsJitter');
  }
  if (maxMemoryMb !== undefined && (typeof maxMemoryMb !== 'number' || !Number.isFinite(maxMemoryMb) || maxMemoryMb <= 0)) {
    throw new InvalidRuntimeOptionError('maxMemoryMb', caller, `expected a positive number of MiB (RSS), got ${typeof maxMemoryMb === 'string' ? JSON.stringify(maxMemoryMb) : String(maxMemoryMb)}`);
  }
  if (reloadSignal !== undefined && reloadSignal !== false && !RELOAD_SIGNALS.includes(reloadSignal)) {
    throw new InvalidRuntimeOptionError('reloadSignal', caller, `expected 'SIGHUP', 'SIGUSR2' or false, got ${JSON.stringify(reloadSignal)}`);
  }
  return {
    heartbeatTimeoutMs: heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
    maxRequests,
    maxRequestsJitter: maxRequestsJitter ?? 0,
    maxMemoryMb,
    reloadSignal: reloadSignal ?? false,
  };
}

/** Four looks per heartbeat timeout, at most one a second: how often a worker beats and the primary's watch checks. */
export function beatEveryMs(heartbeatTimeoutMs: number): number {
  return Math.min(1_000, Math.floor(heartbeatTimeoutMs / 4));
}

/**
 * How often a worker sends its heartbeat, or undefined when nothing needs one: beatEveryMs of the
 * timeout; one a second when only recycling needs the counts.
 */
export function heartbeatIntervalMs(options: ResolvedManagerOptions): number | undefined {
  if (options.heartbeatTimeoutMs > 0) return beatEveryMs(options.heartbeatTimeoutMs);
  if (options.maxRequests !== undefined || options.maxMemoryMb !== undefined) return 1_000;
  return undefined;
}
