// Bounded waits, for every signal: a flush at exit must settle within its share of the stop,
// never hang it, and say itself why it did not finish (not core's generic "did not settle").

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

/** How a bounded flush ended (the span and the metrics flush). */
export type FlushOutcome = { kind: 'done' } | { kind: 'failed'; error: unknown } | { kind: 'timeout'; ms: number } | { kind: 'cut-off' };

/** Settles when `work` does, after `timeoutMs`, or when `signal` aborts, whichever is first; never rejects. */
export function bounded(work: Promise<unknown>, timeoutMs: number, signal: AbortSignal | undefined): Promise<FlushOutcome> {
  return new Promise<FlushOutcome>((resolve) => {
    const done = (outcome: FlushOutcome): void => {
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => done({ kind: 'timeout', ms: timeoutMs }), timeoutMs);
    if (signal?.aborted) return done({ kind: 'cut-off' });
    signal?.addEventListener('abort', () => done({ kind: 'cut-off' }), { once: true });
    work.then(
      () => done({ kind: 'done' }),
      (error: unknown) => done({ kind: 'failed', error }),
    );
  });
}
