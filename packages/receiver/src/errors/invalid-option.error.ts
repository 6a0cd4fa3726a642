import { ReceiverErrorCodes } from './codes';

/** An option of `startReceiver` or `setFault` has a value the receiver cannot use. */
export class ReceiverOptionError extends TypeError {
  override name = 'ReceiverOptionError';
  readonly code = ReceiverErrorCodes.INVALID_OPTION;

  constructor(
    readonly option: string,
    detail: string,
  ) {
    super(`invalid receiver option ${option}: ${detail}`);
  }
}
