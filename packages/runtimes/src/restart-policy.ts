import { InvalidRuntimeOptionError } from './errors/invalid-runtime-option.error';
import { checkDuration, checkInteger, checkKeys, checkObject } from './validate';

/** How runCluster respawns a dead worker into its slot, and when it gives up. */
export interface RestartOptions {
  /** Delay before the first respawn of a slot. Default 100 ms. */
  initialDelayMs?: number;
  /** The delay doubles after each crash of the slot, up to this. Default 5,000 ms. */
  maxDelayMs?: number;
  /** A worker that stayed up this long resets its slot's delay to initialDelayMs. Default 10,000 ms. */
  resetAfterMs?: number;
  /** Give up (stop everything, exit 1) when one slot fails this many times within windowMs. Default 5. */
  maxCrashes?: number;
  /** See maxCrashes. Default 60,000 ms. */
  windowMs?: number;
  /**
   * A worker that was ready and stayed up at least this long before it crashed was serving: it is
   * respawned (with backoff) but never counts towards maxCrashes, so requests that crash workers cannot
   * take the service down. Only failures to start, and crashes sooner than this, count. Default 1,000 ms
   * (PM2's min_uptime); at most 3,000.
   */
  minUptimeMs?: number;
}

/** The largest minUptimeMs: a worker that served longer was surely up, whatever then crashed it. */
export const MAX_MIN_UPTIME_MS = 3_000;

/** Restart options with every default filled in. */
export type RestartPolicy = Readonly<Required<RestartOptions>>;

/** The defaults: 100 ms doubling to 5 s, reset after 10 s up, give up after 5 failures in a minute; a crash after 1 s of serving never counts. */
export const DEFAULT_RESTART: RestartPolicy = {
  initialDelayMs: 100,
  maxDelayMs: 5_000,
  resetAfterMs: 10_000,
  maxCrashes: 5,
  windowMs: 60_000,
  minUptimeMs: 1_000,
};

const KEYS = Object.keys(DEFAULT_RESTART);

/** Validates `restart` (false: never respawn) and fills in the defaults. */
export function resolveRestart(caller: string, restart: RestartOptions | false | undefined): RestartPolicy | false {
  if (restart === false) return false;
  checkObject(caller, 'restart', restart);
  const options = restart ?? {};
  checkKeys(caller, 'restart.', options, KEYS);
  checkInteger(caller, 'restart.initialDelayMs', options.initialDelayMs, 0);
  checkDuration(caller, 'restart.maxDelayMs', options.maxDelayMs);
  checkDuration(caller, 'restart.resetAfterMs', options.resetAfterMs);
  checkInteger(caller, 'restart.maxCrashes', options.maxCrashes, 1);
  checkDuration(caller, 'restart.windowMs', options.windowMs);
  checkInteger(caller, 'restart.minUptimeMs', options.minUptimeMs, 0);
  if (options.minUptimeMs !== undefined && options.minUptimeMs > MAX_MIN_UPTIME_MS) {
    throw new InvalidRuntimeOptionError(
      'restart.minUptimeMs',
      caller,
      `expected at most ${MAX_MIN_UPTIME_MS} ms, got ${options.minUptimeMs}: a worker that served longer was up, and counting its crash would let requests that crash workers take the whole service down`,
    );
  }
  return { ...DEFAULT_RESTART, ...options };
}

/** The verdict on one crash: respawn after `delayMs`, or give up after `crashes` failures within the window. */
export type CrashVerdict = { respawn: true; delayMs: number } | { respawn: false; crashes: number };

/** One slot's crash bookkeeping: its backoff delay and its recent crashes. */
export class SlotBackoff {
  #delayMs: number;
  #crashes: number[] = [];

  constructor(private readonly policy: RestartPolicy) {
    this.#delayMs = policy.initialDelayMs;
  }

  /**
   * Records the end of a worker that ran `uptimeMs` and says when to respawn it, or to give up. An end
   * that `counts` (a failed start, a crash under minUptimeMs) counts towards giving up; any other end
   * (a clean exit, a crash of a worker that was serving) only backs off.
   */
  crash(uptimeMs: number, now = Date.now(), counts = true): CrashVerdict {
    const { initialDelayMs, maxDelayMs, resetAfterMs, maxCrashes, windowMs } = this.policy;
    if (uptimeMs >= resetAfterMs) this.#delayMs = initialDelayMs;
    this.#crashes = this.#crashes.filter((at) => now - at < windowMs);
    if (counts) this.#crashes.push(now);
    if (this.#crashes.length >= maxCrashes) return { respawn: false, crashes: this.#crashes.length };
    const delayMs = Math.min(this.#delayMs, maxDelayMs);
    this.#delayMs = Math.min(Math.max(this.#delayMs * 2, 1), maxDelayMs);
    return { respawn: true, delayMs };
  }
}
