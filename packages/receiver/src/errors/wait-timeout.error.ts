import { ReceiverErrorCodes } from './codes';

/** `waitForSpans(n, timeoutMs)` ran out of time. Says how many spans did arrive, and from whom. */
export class WaitForSpansTimeoutError extends Error {
  override name = 'WaitForSpansTimeoutError';
  readonly code = ReceiverErrorCodes.WAIT_TIMEOUT;

  constructor(
    readonly expected: number,
    readonly received: number,
    readonly timeoutMs: number,
    detail: string,
  ) {
    super(`waited ${timeoutMs} ms for ${expected} spans but only ${received} arrived (${detail})`);
  }
}
