import { ReceiverErrorCodes } from './codes';

/** The receiver was closed while something still waited on it. */
export class ReceiverClosedError extends Error {
  override name = 'ReceiverClosedError';
  readonly code = ReceiverErrorCodes.CLOSED;

  constructor(what: string) {
    super(`the receiver was closed while ${what}`);
  }
}
