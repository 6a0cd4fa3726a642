import { Worker } from 'node:worker_threads';
import { describe } from './errors/hook.error';
import { log } from './logger';
import { RESCUE_KEY } from './rescue/rescue-registry';
import { rescueThread } from './rescue/rescue-thread';

/** An orphan whose event loop has not ticked for this long is blocked: nothing in it will run its stop. */
export const ORPHAN_BLOCKED_MS = 1_500;
/** How often the watchdog thread looks at the parent pid and the main thread's last tick. */
const POLL_MS = 100;

/** The main thread's side of the watchdog: `tick()` from a timer, `stop()` when done. */
export interface OrphanWatchdog {
  tick(): void;
  stop(): void;
}

// Plain JS run by the thread (eval: no module of the app, no preload, nothing to trace). A blocked main
// thread cannot hear the IPC channel close, and Node cannot end it; this thread can: process.kill on
// its own pid ends the whole process. It acts once the parent is gone (re-parented: process.ppid
// changed; or kill(ppid, 0) fails) and either the main loop has not ticked for `blockedMs`, or the
// worker's own stop budget has run out (a live loop runs its graceful stop on 'disconnect' meanwhile).
const THREAD = `
'use strict';
const { workerData, threadId } = require('node:worker_threads');
const { writeSync, unlinkSync, rmdirSync } = require('node:fs');
const { dirname } = require('node:path');
const { ppid, tick, blockedMs, budgetMs, pollMs, quiet } = workerData;
const last = new BigInt64Array(tick);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
let orphanedAt = 0;
setInterval(() => {
  const now = Date.now();
  if (!orphanedAt) {
    if (process.ppid === ppid && alive(ppid)) return;
    orphanedAt = now;
  }
  const silentMs = now - Number(Atomics.load(last, 0));
  const orphanMs = now - orphanedAt;
  if (silentMs < blockedMs && orphanMs < budgetMs) return;
  const why = silentMs >= blockedMs ? 'its event loop has been blocked for ' + silentMs + ' ms' : 'its stop overran its budget of ' + budgetMs + ' ms';
  if (!quiet) {
    try { writeSync(2, '[forkhooks warn pid=' + process.pid + ' thread=' + threadId + '] the primary (pid ' + ppid + ') is gone and ' + why + ': ending this worker with SIGKILL, ' + orphanMs + ' ms after the primary went\\n'); } catch {}
  }
  // No primary is left to remove the rescue socket after this kill.
  if (workerData.rescue) { try { unlinkSync(workerData.rescue); rmdirSync(dirname(workerData.rescue)); } catch {} }
  process.kill(process.pid, 'SIGKILL');
}, pollMs);
(${rescueThread.toString()})(require, workerData.rescue, ${JSON.stringify(RESCUE_KEY)});
`;

/**
 * Starts the watchdog thread that ends this worker when its primary has died and its event loop is
 * blocked (or its stop overran `stopBudgetMs`), and, given `rescue` (a socket path), listens there for
 * the primary's word to rescue a stuck main thread (rescue/rescue-thread.ts). Costs one thread (about
 * 9 MiB of RSS: an isolate) and a 100 ms poll there.
 */
export function startOrphanWatchdog(stopBudgetMs: number, rescue?: string): OrphanWatchdog {
  const tick = new SharedArrayBuffer(8);
  const last = new BigInt64Array(tick);
  Atomics.store(last, 0, BigInt(Date.now()));
  const level = (process.env.FORKHOOKS_LOG ?? '').toLowerCase();
  const thread = new Worker(THREAD, {
    eval: true,
    // Nothing of the app's preloads (a --require or --import of a tracing file) belongs in this thread.
    execArgv: [],
    workerData: { rescue, ppid: process.ppid, tick, blockedMs: ORPHAN_BLOCKED_MS, budgetMs: stopBudgetMs, pollMs: POLL_MS, quiet: level === 'silent' || level === 'error' },
    stdout: false,
    stderr: false,
  });
  thread.unref();
  // Without a listener, an error in the thread (out of memory) would be an uncaught 'error' in the worker.
  thread.on('error', (error) => log.warn(`the orphan watchdog thread failed (${describe(error)}); a blocked worker will outlive a dead primary`));
  return {
    tick: () => Atomics.store(last, 0, BigInt(Date.now())),
    stop: () => void thread.terminate(),
  };
}
