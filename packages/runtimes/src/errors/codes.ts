import { ErrorCodes } from '@forkhooks/core';

/** The codes of the errors @forkhooks/runtimes throws (bad options reuse core's code). */
export const RuntimeErrorCodes = {
  INVALID_OPTION: ErrorCodes.INVALID_OPTION,
  CRASH_LOOP: 'FORKHOOKS_ERR_CRASH_LOOP',
  WORKER_EXITED: 'FORKHOOKS_ERR_WORKER_EXITED',
  CLUSTER_STOPPING: 'FORKHOOKS_ERR_CLUSTER_STOPPING',
} as const;

/** One of the codes above. */
export type RuntimeErrorCode = (typeof RuntimeErrorCodes)[keyof typeof RuntimeErrorCodes];
