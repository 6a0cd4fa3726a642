import { fork } from 'node:child_process';
import { WorkerExitedError } from './errors/worker-exited.error';
import { InvalidRuntimeOptionError } from './errors/invalid-runtime-option.error';
import { log } from './log';
import { prepareSlot } from './spawn-slot';
import { killPid } from './stop-worker';
import type { ChildHandle, SpawnChildOptions } from './types/child-handle';
import type { ProcessExit } from './types/worker-info';
import { checkKeys, checkObject, checkStrings } from './validate';
import { WorkerLink } from './worker-link';
import { STOP_MESSAGE } from './worker-messages';

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

  const link = new WorkerLink<ProcessExit>(child, {
    exitAs: (code, signal, { forced, failure }) => ({ code, signal, ...(forced && { forced }), ...(failure && { failure }) }),
    exitedEarly: ({ code, signal }, failure) => new WorkerExitedError('child process', workerIndex, code, signal, failure),
  });
  const { started: ready, exited } = link;
  const stop = (): Promise<ProcessExit> =>
    link.stop(
      {
        // The stop message first (never a disconnect): the child starts its drain at once.
        ask: () => (child.connected ? child.send(STOP_MESSAGE, (error) => error && child.kill('SIGTERM')) : child.kill('SIGTERM')),
        gone: () => child.exitCode !== null || child.signalCode !== null,
        overran: (budget, cutOff) => `child ${workerIndex} (pid ${pid}) did not exit within ${budget}; SIGKILLed it; cut off: ${cutOff}`,
        force: () => killPid(pid),
      },
      { drainTimeoutMs, shutdownTimeoutMs },
    );

  return { workerIndex, generation, workerId, pid, process: child, ready, exited, stop };
}
