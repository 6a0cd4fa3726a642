import { describeError } from '@forkhooks/core';
import type { LiveWorker } from './cluster-slot';
import { log } from './log';
import { killPid, stopWithinBudget, type StopLink } from './stop-worker';
import { STOP_MESSAGE } from './worker-messages';

/**
 * Stops cluster workers the graceful way: each is sent `{ forkhooks: 'stop' }` at once (never
 * worker.disconnect(), which Node holds until every open connection has ended), so it drains its
 * servers and runs its atexit hooks while its budget runs; a worker already cut off from IPC gets
 * SIGTERM. A worker still alive after drain + deadline + grace is SIGKILLed by pid, marked `forced`,
 * and named in one line with what was cut off. Resolves true when every worker exited in time.
 */
export function stopClusterWorkers(live: readonly LiveWorker[], drainTimeoutMs: number, shutdownTimeoutMs: number): Promise<boolean> {
  return stopWithinBudget(live.map(clusterLink), { drainTimeoutMs, shutdownTimeoutMs });
}

function clusterLink(l: LiveWorker): StopLink {
  const { worker } = l;
  const link = l.link.stopLink({
    ask() {
      try {
        if (worker.isConnected()) worker.send(STOP_MESSAGE, undefined, (error: Error | null) => error && worker.process.kill('SIGTERM'));
        else worker.process.kill('SIGTERM');
      } catch (error) {
        log.debug(`could not ask worker pid ${worker.process.pid} to stop: ${describeError(error)}`);
      }
    },
    gone: () => worker.isDead(),
    overran: (budget, cutOff) => `worker ${l.info.workerIndex} (pid ${l.info.pid}) did not exit within ${budget}; SIGKILLed it; cut off: ${cutOff}`,
    force: () => killPid(l.info.pid),
  });
  // Done when the primary has handled the exit (the slot updated, 'worker-exit' emitted), not at the bare 'exit'.
  return { ...link, exited: l.exited };
}

/** SIGKILLs every live worker by pid and marks it forced. Returns those it killed. */
export function killAll(live: readonly LiveWorker[]): LiveWorker[] {
  const killed = live.filter((l) => !l.worker.isDead());
  for (const l of killed) l.link.force(() => killPid(l.info.pid));
  return killed;
}
