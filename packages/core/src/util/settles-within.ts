/**
 * Resolves true when `promise` settles (either way) within `ms`, false otherwise; leaves no timer
 * behind. The one race of a promise against a timer: a drain's bound, a manager waiting for a worker.
 * The timer is ref'd: the wait holds the event loop, as the stop it bounds must.
 */
export function settlesWithin(promise: PromiseLike<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const done = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    promise.then(done, done);
  });
}
