import { closeOnStop, type HookContext } from '@forkhooks/core';
import { listen, portFromEnv } from './server';
import { leaveStatsAtExit } from './stats-file';

/**
 * A worker's main for every example: serves the fibonacci service on PORT (plus the worker's index
 * when the workers cannot share a port: threads and plain child processes), closes on shutdown.
 */
export async function serveFibonacci(ctx: HookContext, options: { portPerWorker?: boolean } = {}): Promise<void> {
  leaveStatsAtExit(ctx.workerId);
  const base = portFromEnv();
  const port = options.portPerWorker && base !== 0 ? base + ctx.workerIndex : base;
  const server = await listen(port);
  // Closed first at shutdown (LIFO): requests in flight finish, and their spans end, before the flush.
  closeOnStop(server);
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  process.stdout.write(`worker ${ctx.workerIndex} (${ctx.runtime}, pid ${ctx.pid}${ctx.threadId ? `, thread ${ctx.threadId}` : ''}) serving http://localhost:${actual}/fibonacci?n=10\n`);
}
