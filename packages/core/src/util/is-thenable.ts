/** Whether `value` is a promise or promise-like (has a `then` method). Reading `then` may run a getter that throws. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
