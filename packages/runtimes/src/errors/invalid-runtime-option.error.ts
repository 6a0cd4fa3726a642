import { RuntimeErrorCodes } from './codes';

/** An option of runCluster, spawnChild or spawnThread has a value it cannot use. Thrown before anything is spawned. */
export class InvalidRuntimeOptionError extends TypeError {
  override name = 'InvalidRuntimeOptionError';
  readonly code = RuntimeErrorCodes.INVALID_OPTION;

  constructor(
    /** The option, as the caller wrote it (`workers`, `restart.maxCrashes`). */
    readonly option: string,
    readonly caller: string,
    detail: string,
  ) {
    super(`${caller}: invalid option ${option}: ${detail}`);
  }
}
