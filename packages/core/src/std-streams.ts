// A log pipe that goes away (`| head`, `| tee` killed by Ctrl-C, a closed terminal) must not stop
// the service. Node's stdout/stderr are never really destroyed: without an 'error' listener every
// failed write is an uncaught exception, and logging that exception fails again, forever.

/** Error codes that mean "the reader of this stream is gone": nothing written there will arrive. */
const GONE = new Set(['EPIPE', 'EBADF', 'ECONNRESET', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

const broken = new WeakSet<NodeJS.WritableStream>();
let guarded = false;

/** True when `error` says the reader of a stream went away (EPIPE and the like). */
export function isGoneError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  try {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && GONE.has(code);
  } catch {
    return false;
  }
}

/** Marks `stream` as gone: forkhooks' logger drops what it would write there. */
export function markBroken(stream: NodeJS.WritableStream): void {
  broken.add(stream);
}

/** True once a write to `stream` failed because its reader went away. */
export function isBroken(stream: NodeJS.WritableStream): boolean {
  return broken.has(stream);
}

/** True when `error` is a failed write to this process's stdout or stderr (not to a socket of the app). */
export function isStdStreamError(error: unknown): boolean {
  if (!isGoneError(error)) return false;
  return [process.stdout, process.stderr].some((stream) => isBroken(stream) || (stream as { errored?: unknown }).errored === error);
}

/**
 * Once per process: an EPIPE-class error on stdout or stderr marks the stream broken and is
 * otherwise ignored (the app keeps serving, forkhooks stops writing there). Any other error on
 * those streams stays as visible as Node makes it: it is re-thrown as an uncaught exception.
 */
export function guardStdStreams(): void {
  if (guarded) return;
  guarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: unknown) => {
      if (isGoneError(error)) {
        markBroken(stream);
        return;
      }
      // Someone else handles it: leave it to them. Else do what Node would have done without us.
      if (stream.listenerCount('error') > 1) return;
      process.nextTick(() => {
        throw error;
      });
    });
  }
}
