/**
 * A signal that aborts when `signal` does or after `ms`, whichever is first, with a strong timer:
 * `AbortSignal.any([signal, AbortSignal.timeout(ms)])` holds its sources weakly, and a timeout signal
 * nothing else holds can be collected before it fires (then a flush waits for the hook's own timeout,
 * and core's generic "did not settle" line replaces the flush's own). Call `done()` when finished.
 */
export function abortAfter(signal: AbortSignal, ms: number): { signal: AbortSignal; done(): void } {
  const controller = new AbortController();
  const abort = (): void => controller.abort(signal.reason);
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${ms} ms`)), ms);
  if (signal.aborted) abort();
  else signal.addEventListener('abort', abort, { once: true });
  return {
    signal: controller.signal,
    done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
    },
  };
}
