import { Worker } from 'node:worker_threads';
import { InvalidRuntimeOptionError } from './errors/invalid-runtime-option.error';
import { WorkerExitedError } from './errors/worker-exited.error';
import { describeError } from '@forkhooks/core';
import { log } from './log';
import { prepareSlot } from './spawn-slot';
import type { SpawnThreadOptions, ThreadExit, ThreadHandle } from './types/thread-handle';
import { checkKeys, checkObject } from './validate';
import { WorkerLink } from './worker-link';
import { STOP_MESSAGE } from './worker-messages';

const CALLER = 'spawnThread';
const KEYS = ['workerIndex', 'generation', 'workerId', 'workerData', 'env', 'worker', 'shutdownTimeoutMs', 'drainTimeoutMs', 'registry'];

/**
 * worker_threads with forkhooks: runs `prefork` here with the thread's slot, then starts `file` with
 * the FORKHOOKS_* variables in its `process.env`; the thread's module calls `startWorker(main)`.
 * A thread is its own isolate: it loads its own copy of every module, so it has its own registry
 * (hooks registered here do not run there) and its own OpenTelemetry globals (it needs its own provider).
 */
export async function spawnThread(file: string | URL, options: SpawnThreadOptions = {}): Promise<ThreadHandle> {
  if (!(file instanceof URL) && (typeof file !== 'string' || file === '')) {
    throw new InvalidRuntimeOptionError('file', CALLER, `expected the path or URL of the thread's module, got ${String(file)}`);
  }
  checkObject(CALLER, 'options', options);
  checkKeys(CALLER, '', options, KEYS);
  checkObject(CALLER, 'worker', options.worker);
  const { workerIndex, generation, workerId, shutdownTimeoutMs, drainTimeoutMs, env } = await prepareSlot(CALLER, 'worker_threads', options);
  const worker = new Worker(file, { ...options.worker, env, workerData: options.workerData });
  const { threadId } = worker;

  let uncaught: Error | undefined;
  // A thread's unhandled error becomes an 'error' event here; unlistened, it would crash this process.
  worker.on('error', (error) => {
    uncaught = error;
    log.error(`worker thread ${workerIndex} (threadId ${threadId}) failed: ${describeError(error)}`);
  });
  const link = new WorkerLink<ThreadExit>(worker, {
    // A thread ends with a code only (never a signal).
    exitAs: (code, _signal, { forced, failure }) => ({ code: code as number, terminated: forced, ...(failure && { failure }), ...(uncaught && { error: uncaught }) }),
    exitedEarly: ({ code }, failure) => new WorkerExitedError('worker thread', workerIndex, code, null, failure),
  });
  const { started: ready, exited } = link;
  const stop = (): Promise<ThreadExit> =>
    link.stop(
      {
        ask: () => worker.postMessage(STOP_MESSAGE),
        gone: () => false,
        overran: (budget) => `worker thread ${workerIndex} (threadId ${threadId}) did not stop within ${budget}; terminating it`,
        force: () => worker.terminate(),
      },
      { drainTimeoutMs, shutdownTimeoutMs },
    );

  return { workerIndex, generation, workerId, pid: process.pid, threadId, worker, ready, exited, stop };
}
