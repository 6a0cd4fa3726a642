import { describeBudget, KILL_WAIT_MS, stopBudgetMs } from './deadline';
import type { LiveWorker } from './cluster-slot';
import { describeError } from '@forkhooks/core';
import { log } from './log';
import { settlesWithin } from './promises';
import { cutOff, STOP_MESSAGE } from './worker-messages';

/**
 * Stops cluster workers the graceful way: each is sent `{ forkhooks: 'stop' }` at once (never
 * worker.disconnect(), which Node holds until every open connection has ended), so it drains its
 * servers and runs its atexit hooks while its budget runs; a worker already cut off from IPC gets
 * SIGTERM. A worker still alive after drain + deadline + grace is SIGKILLed by pid, marked `forced`,
 * and named in one line with what was cut off.
 */
export async function stopClusterWorkers(live: readonly LiveWorker[], drainTimeoutMs: number, shutdownTimeoutMs: number): Promise<void> {
  for (const { worker } of live) {
    try {
      if (worker.isConnected()) worker.send(STOP_MESSAGE, undefined, (error: Error | null) => error && worker.process.kill('SIGTERM'));
      else worker.process.kill('SIGTERM');
    } catch (error) {
      log.debug(`could not ask worker pid ${worker.process.pid} to stop: ${describeError(error)}`);
    }
  }
  const all = Promise.all(live.map((l) => l.exited));
  if (await settlesWithin(all, stopBudgetMs(drainTimeoutMs, shutdownTimeoutMs))) return;
  killAll(live, (l) => `did not exit within ${describeBudget(drainTimeoutMs, shutdownTimeoutMs)}; SIGKILLed it; cut off: ${cutOff(l.stopPhase)}`);
  await settlesWithin(all, KILL_WAIT_MS);
}

/** SIGKILLs every live worker by pid and marks it forced; with `why`, says so in one line each. Returns those it killed. */
export function killAll(live: readonly LiveWorker[], why?: (l: LiveWorker) => string): LiveWorker[] {
  const killed = live.filter((l) => !l.worker.isDead());
  for (const l of killed) {
    l.forced = true;
    if (why) log.warn(`worker ${l.info.workerIndex} (pid ${l.info.pid}) ${why(l)}`);
    try {
      process.kill(l.info.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return killed;
}
