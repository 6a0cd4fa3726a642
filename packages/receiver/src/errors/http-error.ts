/**
 * A request the receiver refuses: carries the HTTP status to answer with. Internal: it never leaves the
 * request handler, which turns it into a response (or, for `status` 0, into a closed connection).
 */
export class HttpError extends Error {
  override name = 'HttpError';

  constructor(
    readonly status: number,
    message: string,
    /** Close the connection after answering: the client is misbehaving, or will not send its body. */
    readonly closeConnection = false,
    /** Extra headers for the answer. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
