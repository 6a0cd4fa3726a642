import type { WorkerExit } from '../types/worker-info';
import { RuntimeErrorCodes } from './codes';
import { describeExit, describeFailure } from './worker-exited.error';

/** A worker slot of runCluster crashed `maxCrashes` times within `windowMs`: the primary gives up and exits 1. */
export class CrashLoopError extends Error {
  override name = 'CrashLoopError';
  readonly code = RuntimeErrorCodes.CRASH_LOOP;

  constructor(
    readonly workerIndex: number,
    readonly crashes: number,
    readonly windowMs: number,
    /** The last failed spawn of the slot: exit code/signal and, when the worker said so, the failed hook. */
    readonly lastExit: WorkerExit,
  ) {
    const { failure } = lastExit;
    const why = failure ? describeFailure(failure) : 'no hook reported a failure (see the worker stderr)';
    const how = failure?.phase === 'prefork' ? 'prefork failed in the primary' : `last worker ${describeExit(lastExit.code, lastExit.signal)}`;
    super(
      `worker slot ${workerIndex} failed ${crashes} times within ${windowMs} ms (${how}; ${why}); giving up. ` +
        `Fix the cause, or raise restart.maxCrashes / restart.windowMs of runCluster`,
    );
  }
}
