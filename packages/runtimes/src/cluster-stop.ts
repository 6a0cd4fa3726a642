import { KILL_WAIT_MS } from './deadline';
import type { LiveWorker } from './cluster-slot';
import { describeError } from '@forkhooks/core';
import { log } from './log';
import { settlesWithin } from './promises';

/**
 * Stops cluster workers the graceful way and waits up to `waitMs`: worker.disconnect() closes the IPC
 * channel, on which the worker runs its atexit hooks and exits (a worker already cut off from IPC gets
 * SIGTERM). Stragglers are SIGKILLed by pid after `waitMs`.
 */
export async function stopClusterWorkers(live: readonly LiveWorker[], waitMs: number): Promise<void> {
  for (const { worker } of live) {
    try {
      if (worker.isConnected()) worker.disconnect();
      else worker.process.kill('SIGTERM');
    } catch (error) {
      log.debug(`could not ask worker pid ${worker.process.pid} to stop: ${describeError(error)}`);
    }
  }
  const all = Promise.all(live.map((l) => l.exited));
  if (await settlesWithin(all, waitMs)) return;
  for (const { worker, info } of live) {
    if (worker.isDead()) continue;
    log.warn(`worker ${info.workerIndex} (pid ${info.pid}) did not stop within ${waitMs} ms; killing it`);
    try {
      process.kill(info.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await settlesWithin(all, KILL_WAIT_MS);
}
