// Waiting in tests, shared by every package (never copied).

/** Resolves after `ms`, or at once when `signal` aborts (so a cut-off hook leaves no timer behind). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
