import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { currentTracing, type TracingStats } from '@forkhooks/otel-init';

/** The variable a demo sets so each worker leaves its span counts when it exits. */
export const STATS_DIR_VAR = 'FORKHOOKS_DEMO_STATS_DIR';

/** One worker's counts, as left in the stats folder. */
export type WorkerStats = TracingStats & { pid: number; threadId: number };

/**
 * When STATS_DIR_VAR is set: writes this worker's tracing stats there at exit. 'exit' is
 * synchronous and comes after every atexit hook, the span flush included.
 */
export function leaveStatsAtExit(env: NodeJS.ProcessEnv = process.env): void {
  const dir = env[STATS_DIR_VAR];
  if (!dir) return;
  process.on('exit', () => {
    const stats = currentTracing()?.stats();
    if (stats) writeFileSync(join(dir, `${process.pid}-${threadId}.json`), JSON.stringify({ pid: process.pid, threadId, ...stats }));
  });
}

/** Every worker's counts from the stats folder. */
export function readStats(dir: string): WorkerStats[] {
  return readdirSync(dir).map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as WorkerStats);
}
