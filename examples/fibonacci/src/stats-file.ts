import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { currentTracing, type TracingStats } from '@forkhooks/otel-init';

/** The variable a demo sets so each worker leaves its span counts when it exits. */
export const STATS_DIR_VAR = 'FORKHOOKS_DEMO_STATS_DIR';

/** One worker that started, as its marker in the stats folder says (`workerId` is its `forkhooks.worker.id`). */
export interface StartedWorker {
  pid: number;
  threadId: number;
  workerId: string;
}

/** One worker's counts, as left in the stats folder at its exit. */
export type WorkerStats = TracingStats & StartedWorker;

const STARTED = '.started';
const STATS = '.json';

/**
 * When STATS_DIR_VAR is set: marks this worker as started now, and writes its tracing stats at exit.
 * 'exit' is synchronous and comes after every atexit hook, the span flush included. A worker that is
 * killed leaves its marker and no stats: the demo then knows its count is unknown, not zero.
 */
export function leaveStatsAtExit(workerId: string, env: NodeJS.ProcessEnv = process.env): void {
  const dir = env[STATS_DIR_VAR];
  if (!dir) return;
  const me: StartedWorker = { pid: process.pid, threadId, workerId };
  writeFileSync(join(dir, `${process.pid}-${threadId}${STARTED}`), JSON.stringify(me));
  process.on('exit', () => {
    const stats = currentTracing()?.stats();
    if (stats) writeFileSync(join(dir, `${process.pid}-${threadId}${STATS}`), JSON.stringify({ ...me, ...stats }));
  });
}

/** Every worker's counts from the stats folder. */
export function readStats(dir: string): WorkerStats[] {
  return readAll<WorkerStats>(dir, STATS);
}

/** Every worker that started, reported or not. */
export function readStarted(dir: string): StartedWorker[] {
  return readAll<StartedWorker>(dir, STARTED);
}

function readAll<T>(dir: string, suffix: string): T[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith(suffix))
    .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as T);
}
