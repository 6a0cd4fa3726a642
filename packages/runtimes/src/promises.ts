/** The timer race is core's one helper (re-exported for old imports inside runtimes). */
export { settlesWithin } from '@forkhooks/core/manager';

/** Marks `promise` as handled (whoever awaits it still sees a rejection) and returns it. */
export function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
