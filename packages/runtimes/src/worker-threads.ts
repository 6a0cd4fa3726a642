import { Worker } from 'node:worker_threads';
import { InvalidRuntimeOptionError } from './errors/invalid-runtime-option.error';
import { WorkerExitedError } from './errors/worker-exited.error';
import { describeError } from '@forkhooks/core';
import { log } from './log';
import { handled } from './promises';
import { prepareSlot } from './spawn-slot';
import { stopWithinBudget } from './stop-worker';
import type { SpawnThreadOptions, ThreadExit, ThreadHandle } from './types/thread-handle';
import type { StartFailure } from './types/worker-info';
import { checkKeys, checkObject } from './validate';
import { readWorkerMessage, STOP_MESSAGE } from './worker-messages';

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

  let failure: StartFailure | undefined;
  let uncaught: Error | undefined;
  let terminated = false;
  // A thread's unhandled error becomes an 'error' event here; unlistened, it would crash this process.
  worker.on('error', (error) => {
    uncaught = error;
    log.error(`worker thread ${workerIndex} (threadId ${threadId}) failed: ${describeError(error)}`);
  });
  const exited = new Promise<ThreadExit>((resolve) =>
    worker.once('exit', (code) => resolve({ code, terminated, ...(failure && { failure }), ...(uncaught && { error: uncaught }) })),
  );
  const ready = handled(
    new Promise<void>((resolve, reject) => {
      worker.on('message', (message: unknown) => {
        const signal = readWorkerMessage(message);
        if (signal?.kind === 'ready') resolve();
        if (signal?.kind === 'failed') failure = signal.failure;
      });
      void exited.then(({ code }) => reject(new WorkerExitedError('worker thread', workerIndex, code, null, failure)));
    }),
  );

  let stopping: Promise<ThreadExit> | undefined;
  const stopThread = async (): Promise<ThreadExit> => {
    await stopWithinBudget(
      [
        {
          ask: () => worker.postMessage(STOP_MESSAGE),
          exited,
          gone: () => false,
          overran: (budget) => `worker thread ${workerIndex} (threadId ${threadId}) did not stop within ${budget}; terminating it`,
          force: () => {
            terminated = true;
            return worker.terminate();
          },
        },
      ],
      { drainTimeoutMs, shutdownTimeoutMs },
    );
    return exited;
  };
  const stop = (): Promise<ThreadExit> => (stopping ??= stopThread());

  return { workerIndex, generation, workerId, pid: process.pid, threadId, worker, ready, exited, stop };
}
