/** Every error code the receiver throws, in one table. */
export const ReceiverErrorCodes = {
  INVALID_OPTION: 'FORKHOOKS_ERR_RECEIVER_OPTION',
  LISTEN: 'FORKHOOKS_ERR_RECEIVER_LISTEN',
  WAIT_TIMEOUT: 'FORKHOOKS_ERR_RECEIVER_WAIT_TIMEOUT',
  CLOSED: 'FORKHOOKS_ERR_RECEIVER_CLOSED',
} as const;

/** One of the codes above. */
export type ReceiverErrorCode = (typeof ReceiverErrorCodes)[keyof typeof ReceiverErrorCodes];
