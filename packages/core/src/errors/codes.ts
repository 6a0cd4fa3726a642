/** Every error code forkhooks throws, in one table (the fastify habit). */
export const ErrorCodes = {
  HOOK_FAILED: 'FORKHOOKS_ERR_HOOK_FAILED',
  HOOK_TIMEOUT: 'FORKHOOKS_ERR_HOOK_TIMEOUT',
  LATE_HOOK: 'FORKHOOKS_ERR_LATE_HOOK',
  INVALID_OPTION: 'FORKHOOKS_ERR_INVALID_OPTION',
  DECORATOR_TARGET: 'FORKHOOKS_ERR_DECORATOR_TARGET',
  INVALID_ENV: 'FORKHOOKS_ERR_INVALID_ENV',
} as const;

/** One of the codes above. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
