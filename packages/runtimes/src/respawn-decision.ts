import type { Slot } from './cluster-slot';
import { CrashLoopError } from './errors/crash-loop.error';
import type { RestartPolicy } from './restart-policy';
import type { ReplaceReason } from './types/cluster-handle';
import type { WorkerExit } from './types/worker-info';

/** What the decision reads of a slot, after the ended worker has left it (`live`/`next` cleared). */
export type SlotView = Pick<Slot, 'index' | 'generation' | 'removed' | 'everReady' | 'live' | 'next' | 'backoff'>;

/** How a slot's worker ended, as far as the respawn decision cares. */
export interface EndedWorker {
  readonly exit: WorkerExit;
  /** false: its prefork failed in the primary, so nothing was forked. */
  readonly forked: boolean;
  /** It was the slot's replacement still starting (`slot.next`), not its serving worker. */
  readonly wasNext: boolean;
  /** It had said ready. */
  readonly wasReady: boolean;
  /** The heartbeat watchdog killed it. */
  readonly watchdogKilled: boolean;
}

/**
 * What the primary does about an ended worker. `crashed` (every kind but ignore): it ended badly (a
 * failed start, a crash, an exit before ready), so restart: false ends the primary with exit 1.
 */
export type RespawnDecision =
  /** Nothing: the exit was asked for, the slot is gone, or a replacement covers it (or failed, and its caller hears). */
  | { kind: 'ignore' }
  /** Respawn into the slot after `delayMs` as `generation`; `reason` (when forked) says why its next worker replaced this one. */
  | { kind: 'respawn'; crashed: boolean; delayMs: number; generation: number; reason: ReplaceReason | undefined }
  /** The slot failed restart.maxCrashes times within restart.windowMs: stop everything. */
  | { kind: 'give-up'; crashed: boolean; error: CrashLoopError }
  /** restart: false: nothing respawns; the primary stops once no worker is left. */
  | { kind: 'wind-down'; crashed: boolean };

const IGNORE: RespawnDecision = { kind: 'ignore' };

/**
 * The respawn / crash-loop decision for one ended worker of `slot`, at `now`. Pure but for the slot's
 * backoff, which records the crash (its delay doubles, the crash joins the window): that bookkeeping is
 * what the backoff is for.
 */
export function decideRespawn(slot: SlotView, ended: EndedWorker, restart: RestartPolicy | false, now: number): RespawnDecision {
  const { exit, forked, wasNext, wasReady } = ended;
  if (exit.expected) return IGNORE;
  if (forked) {
    // A replacement that failed to start replaces nothing: its caller hears why, the old worker serves on
    // (and a slot scale() was adding, never ready, is removed by scale()). While a replacement starts, it
    // takes over from a worker that died meanwhile.
    if (wasNext && (slot.live || !slot.everReady)) return IGNORE;
    if (!wasNext && slot.next) return IGNORE;
  }
  if (slot.removed) return IGNORE;
  // A worker that was ready and exited 0 on its own (recycling itself) is replaced, but is no crash.
  const crashed = !forked || !wasReady || exit.code !== 0 || exit.signal !== null;
  if (!slot.backoff || !restart) return { kind: 'wind-down', crashed };
  // Only a failure to start, or a crash before minUptimeMs, counts towards giving up (Gunicorn halts
  // only when a worker fails to boot; PM2 counts restarts under min_uptime): a worker that was
  // serving is respawned with backoff however often requests crash it.
  const counts = crashed && !(wasReady && exit.uptimeMs >= restart.minUptimeMs);
  const verdict = slot.backoff.crash(exit.uptimeMs, now, counts);
  if (!verdict.respawn) return { kind: 'give-up', crashed, error: new CrashLoopError(slot.index, verdict.crashes, restart.windowMs, exit) };
  // A forked worker that died is replaced by the next generation; a failed prefork is retried as is.
  const generation = forked ? slot.generation + 1 : slot.generation;
  const reason = forked ? respawnReason(ended) : undefined;
  return { kind: 'respawn', crashed, delayMs: verdict.delayMs, generation, reason };
}

function respawnReason({ exit, watchdogKilled }: EndedWorker): ReplaceReason {
  if (watchdogKilled) return 'watchdog';
  return exit.code === 0 && exit.signal === null ? 'exit' : 'crash';
}
