import { log, postfork, type HookContext } from '@forkhooks/core';
import { serveFibonacci } from '@forkhooks/example-fibonacci';
import { runCluster, type ClusterHandle, type PrimaryContext } from '@forkhooks/runtimes';
import { workersFromEnv } from './workers';

class Announce {
  /** Runs in each worker after initTracing (order -1000), before the server starts. */
  @postfork
  static worker(ctx: HookContext): void {
    log.info(`worker ${ctx.workerIndex} (pid ${ctx.pid}, generation ${ctx.generation}) is up and traced`);
  }
}
void Announce;

/** Runs the fibonacci service on node:cluster: WORKERS workers (default 2) sharing PORT (default 3000). */
export function runFibonacciCluster(primary?: (ctx: PrimaryContext) => unknown): ClusterHandle {
  return runCluster({ workers: workersFromEnv(), ...(primary && { primary }), worker: (ctx) => serveFibonacci(ctx) });
}
