import { fork } from 'node:child_process';
import type { StopPhase } from '@forkhooks/core/manager';
import { WorkerExitedError } from './errors/worker-exited.error';
import { InvalidRuntimeOptionError } from './errors/invalid-runtime-option.error';
import { log } from './log';
import { handled } from './promises';
import { prepareSlot } from './spawn-slot';
import { killPid, stopWithinBudget } from './stop-worker';
import type { ChildHandle, SpawnChildOptions } from './types/child-handle';
import type { ProcessExit, StartFailure } from './types/worker-info';
import { checkKeys, checkObject, checkStrings } from './validate';
import { cutOff, readWorkerMessage, STOP_MESSAGE } from './worker-messages';

const CALLER = 'spawnChild';
const KEYS = ['workerIndex', 'generation', 'workerId', 'args', 'env', 'fork', 'shutdownTimeoutMs', 'drainTimeoutMs', 'registry'];

/**
 * child_process.fork with forkhooks: runs `prefork` here with the child's slot, then forks
 * `modulePath` with the FORKHOOKS_* variables; the child module calls `startWorker(main)`.
 * Resolves with the handle once forked (rejects with the HookError of a failed critical prefork hook).
 */
export async function spawnChild(modulePath: string, options: SpawnChildOptions = {}): Promise<ChildHandle> {
  if (typeof modulePath !== 'string' || modulePath === '') {
    throw new InvalidRuntimeOptionError('modulePath', CALLER, `expected the path of the child module, got ${String(modulePath)}`);
  }
  checkObject(CALLER, 'options', options);
  checkKeys(CALLER, '', options, KEYS);
  checkStrings(CALLER, 'args', options.args);
  checkObject(CALLER, 'fork', options.fork);
  const { workerIndex, generation, workerId, shutdownTimeoutMs, drainTimeoutMs, env } = await prepareSlot(CALLER, 'child_process', options);
  const child = fork(modulePath, [...(options.args ?? [])], { ...options.fork, env });
  // Without a listener an 'error' (a failed spawn, kill or send) would crash this process.
  child.on('error', (error) => log.debug(`child ${workerIndex} (pid ${child.pid}): ${error.message}`));
  if (child.pid === undefined) throw new Error(`${CALLER}: could not fork ${modulePath}; is process.execPath (${process.execPath}) runnable?`);
  const pid = child.pid;

  let failure: StartFailure | undefined;
  let stopPhase: StopPhase | undefined;
  let forced = false;
  const exited = new Promise<ProcessExit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, ...(forced && { forced }), ...(failure && { failure }) })),
  );
  const ready = handled(
    new Promise<void>((resolve, reject) => {
      child.on('message', (message: unknown) => {
        const signal = readWorkerMessage(message);
        if (signal?.kind === 'ready') resolve();
        if (signal?.kind === 'failed') failure = signal.failure;
        if (signal?.kind === 'stopping') stopPhase = signal.phase;
      });
      void exited.then(({ code, signal }) => reject(new WorkerExitedError('child process', workerIndex, code, signal, failure)));
    }),
  );

  let stopping: Promise<ProcessExit> | undefined;
  const stop = (): Promise<ProcessExit> => (stopping ??= stopChild());
  const stopChild = async (): Promise<ProcessExit> => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    await stopWithinBudget(
      [
        {
          // The stop message first (never a disconnect): the child starts its drain at once.
          ask: () => (child.connected ? child.send(STOP_MESSAGE, (error) => error && child.kill('SIGTERM')) : child.kill('SIGTERM')),
          exited,
          gone: () => child.exitCode !== null || child.signalCode !== null,
          overran: (budget) => `child ${workerIndex} (pid ${pid}) did not exit within ${budget}; SIGKILLed it; cut off: ${cutOff(stopPhase)}`,
          force: () => {
            forced = true;
            killPid(pid);
          },
        },
      ],
      { drainTimeoutMs, shutdownTimeoutMs },
    );
    return exited;
  };

  return { workerIndex, generation, workerId, pid, process: child, ready, exited, stop };
}
