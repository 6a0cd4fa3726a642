/** Marks `promise` as handled (whoever awaits it still sees a rejection) and returns it. */
export function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
