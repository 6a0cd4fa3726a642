import type { LiveWorker } from './cluster-slot';

/**
 * The primary's side of the heartbeat: every quarter of the timeout (at most every second) it looks at
 * each watched worker's last heartbeat and reports the ones silent for longer than `timeoutMs`. A worker
 * is watched from its first heartbeat (sent as its startWorker starts, before postfork), so a slow
 * module load is never taken for a blocked loop.
 */
export class HeartbeatWatch {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly watched: () => Iterable<LiveWorker>,
    private readonly onSilent: (live: LiveWorker, silentMs: number) => void,
  ) {}

  start(): void {
    if (this.timeoutMs <= 0 || this.#timer) return;
    this.#timer = setInterval(() => this.#check(), Math.min(1_000, Math.floor(this.timeoutMs / 4)));
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
      if (silentMs > this.timeoutMs) this.onSilent(live, silentMs);
    }
  }
}
