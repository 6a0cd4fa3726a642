import type { Phase } from '../types/phase';
import { ErrorCodes, type ErrorCode } from './codes';
import { HookError } from './hook.error';

/** A hook outlived its `timeoutMs` (or the shutdown deadline, for `atexit`). */
export class HookTimeoutError extends HookError {
  override name = 'HookTimeoutError';
  override readonly code: ErrorCode = ErrorCodes.HOOK_TIMEOUT;

  constructor(
    phase: Phase,
    hookName: string,
    readonly timeoutMs: number,
    why?: string,
  ) {
    const message =
      why === undefined
        ? `${phase} hook "${hookName}" did not settle within ${timeoutMs} ms; ` +
          'make it finish sooner (it receives ctx.signal, aborted at the timeout) or raise its timeoutMs'
        : `${phase} hook "${hookName}" ${why}`;
    super(phase, hookName, undefined, message);
  }
}
