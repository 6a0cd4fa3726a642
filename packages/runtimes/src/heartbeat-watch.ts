import type { LiveWorker } from './cluster-slot';
import { log } from './log';
import { beatEveryMs } from './manager-options';
import type { WatchdogKillInfo } from './types/cluster-handle';

/**
 * The primary's side of the heartbeat: every beatEveryMs (a quarter of the timeout, at most a second) it looks at
 * each watched worker's last heartbeat and SIGKILLs the ones silent for longer than `timeoutMs` (a
 * blocked loop runs no handler: nothing gentler would be heard), in one line naming the slot, the pid
 * and the silence; `onKill` hears of it, and the worker's exit is then handled as a crash. A worker
 * is watched from its first heartbeat (sent as its startWorker starts, before postfork), so a slow
 * module load is never taken for a blocked loop.
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
      if (silentMs > this.timeoutMs) this.#kill(live, silentMs);
    }
  }

  #kill(live: LiveWorker, silentMs: number): void {
    live.watchdogKilled = true;
    const { workerIndex, pid } = live.info;
    log.warn(`worker ${workerIndex} (pid ${pid}) sent no heartbeat for ${silentMs} ms (heartbeatTimeoutMs ${this.timeoutMs}): its event loop is blocked; SIGKILLing it, a replacement follows`);
    this.onKill({ ...live.info, silentMs });
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
