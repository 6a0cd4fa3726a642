import type { Phase } from '../types/phase';
import { ErrorCodes } from './codes';

/** A hook was added for a phase that has already run in this process: it would silently never run. */
export class LateHookError extends Error {
  override name = 'LateHookError';
  readonly code = ErrorCodes.LATE_HOOK;

  constructor(
    readonly phase: Phase,
    readonly hookName: string,
  ) {
    super(
      `${phase} hook "${hookName}" was added after ${phase} already ran in this process (pid ${process.pid}), so it would never run; ` +
        `import the module that declares it before the worker starts (before startWorker/runCluster is called)`,
    );
  }
}
