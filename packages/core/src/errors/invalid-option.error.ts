import { ErrorCodes } from './codes';

/** A hook option, a phase name or the hook itself is not valid. Thrown by `registry.add` before anything is stored. */
export class InvalidHookOptionError extends TypeError {
  override name = 'InvalidHookOptionError';
  readonly code = ErrorCodes.INVALID_OPTION;

  constructor(
    readonly option: string,
    readonly hookName: string,
    detail: string,
  ) {
    super(`invalid ${option} for hook "${hookName}": ${detail}`);
  }
}
