import { ReceiverErrorCodes } from './codes';

/** The receiver could not listen on the requested host and port. `cause` is Node's error. */
export class ReceiverListenError extends Error {
  override name = 'ReceiverListenError';
  readonly code = ReceiverErrorCodes.LISTEN;

  constructor(
    readonly host: string,
    readonly port: number,
    cause: unknown,
  ) {
    // grpc-js reports a failed bind in its message only ("... listen EADDRINUSE ...").
    const errno = (cause as { code?: unknown } | null)?.code ?? /\b(EADDRINUSE|EACCES)\b/.exec(cause instanceof Error ? cause.message : '')?.[1];
    const hint =
      errno === 'EADDRINUSE'
        ? 'the port is taken (another receiver or collector?); stop it or use port 0 for a free port'
        : errno === 'EACCES'
          ? 'not allowed to bind there; use a port above 1023'
          : cause instanceof Error
            ? cause.message
            : String(cause);
    super(`cannot listen on ${host}:${port}: ${hint}`, { cause });
  }
}
