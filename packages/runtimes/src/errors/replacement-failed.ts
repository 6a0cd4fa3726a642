import { HookError, redactUrl, type Phase } from '@forkhooks/core';
import type { StartFailure } from '../types/worker-info';
import { WorkerExitedError } from './worker-exited.error';

/**
 * Why a replacement (reload, recycling, a new slot) did not start: the HookError of the hook that
 * failed (rebuilt in the primary from what the worker reported), else a WorkerExitedError.
 */
export function replacementError(workerIndex: number, code: number | null, signal: NodeJS.Signals | null, failure: StartFailure | undefined): Error {
  if (failure?.hookName !== undefined && failure.phase !== 'main') {
    const message = redactUrl(failure.message);
    return new HookError(failure.phase as Phase, failure.hookName, new Error(message), message);
  }
  return new WorkerExitedError('cluster worker', workerIndex, code, signal, failure, 'before it was ready, so it replaced nothing');
}
