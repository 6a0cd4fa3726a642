import { ErrorCodes } from './codes';

/** An environment variable forkhooks reads has a value it cannot use. */
export class InvalidEnvironmentError extends Error {
  override name = 'InvalidEnvironmentError';
  readonly code = ErrorCodes.INVALID_ENV;

  constructor(
    readonly variable: string,
    value: string,
    expected: string,
  ) {
    super(`environment variable ${variable}=${JSON.stringify(value)} is not valid: expected ${expected}; fix or unset it`);
  }
}
