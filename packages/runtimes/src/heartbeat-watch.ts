import { requestRescue } from '@forkhooks/core/manager';
import type { LiveWorker } from './cluster-slot';
import { log } from './log';
import { beatEveryMs } from './manager-options';
import type { WatchdogKillInfo } from './types/cluster-handle';
import { describeKill } from './watchdog-line';

/** How long a condemned worker's rescue may take: the kill comes at most this long after the decision. */
export const RESCUE_WAIT_MS = 3_000;
/** How long its watchdog thread waits for the main thread to pause before calling the block native. */
const PAUSE_MS = 1_000;
/** The rescue's own deadline (its sends included), inside the primary's wait. */
const RESCUE_DEADLINE_MS = RESCUE_WAIT_MS - 500;

/**
 * The primary's side of the heartbeat: every beatEveryMs (a quarter of the timeout, at most a second) it looks at
 * each watched worker's last heartbeat and condemns the ones silent for longer than `timeoutMs`. A
 * condemned worker's own watchdog thread is asked to rescue first (runtimes README, "Stuck workers":
 * the main thread's stack, its unsent spans, the hung request's span ended with ERROR), for at most
 * RESCUE_WAIT_MS; then the worker is SIGKILLed (a blocked loop runs no handler: nothing gentler would
 * be heard), in one line naming the slot, the pid, the silence, the top frames and the spans rescued
 * and lost; `onKill` hears of it, and the worker's exit is then handled as a crash. A worker is watched
 * from its first heartbeat (sent as its startWorker starts, before postfork), so a slow module load is
 * never taken for a blocked loop.
 */
export class HeartbeatWatch {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly watched: () => Iterable<LiveWorker>,
    private readonly onKill: (kill: WatchdogKillInfo) => void,
  ) {}

  start(): void {
    if (this.timeoutMs <= 0 || this.#timer) return;
    this.#timer = setInterval(() => this.#check(), beatEveryMs(this.timeoutMs));
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #check(): void {
    const now = Date.now();
    for (const live of this.watched()) {
      if (live.lastBeatAt === undefined || live.retiring || live.watchdogKilled || live.worker.isDead()) continue;
      const silentMs = now - live.lastBeatAt;
      if (silentMs > this.timeoutMs) void this.#kill(live, silentMs);
    }
  }

  async #kill(live: LiveWorker, silentMs: number): Promise<void> {
    live.watchdogKilled = true;
    const { workerIndex, pid } = live.info;
    const head = `worker ${workerIndex} (pid ${pid}) sent no heartbeat for ${silentMs} ms (heartbeatTimeoutMs ${this.timeoutMs})`;
    const answer = live.rescue ? await requestRescue(live.rescue, { silentMs, timeoutMs: this.timeoutMs, pauseMs: PAUSE_MS, deadlineMs: RESCUE_DEADLINE_MS }, RESCUE_WAIT_MS) : undefined;
    const { line, event } = describeKill({ head, unsent: live.link.unsent, rescueOff: live.rescueOff }, answer);
    log.warn(line);
    this.onKill({ ...live.info, silentMs, ...event });
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
