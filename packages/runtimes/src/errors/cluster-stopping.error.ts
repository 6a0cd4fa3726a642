import { RuntimeErrorCodes } from './codes';

/**
 * reload() or scale(n) could not finish because the cluster's stop began (SIGTERM, stop()): every
 * worker, old and new, is stopping with the cluster, so nothing keeps serving and there is nothing to
 * retry. `done` of `total` workers were replaced (or added) before the stop.
 */
export class ClusterStoppingError extends Error {
  override name = 'ClusterStoppingError';
  readonly code = RuntimeErrorCodes.CLUSTER_STOPPING;

  constructor(
    /** `reload()` or `scale(n)`. */
    readonly operation: string,
    readonly done: number,
    readonly total: number,
  ) {
    super(`${operation} ended after ${done} of ${total} worker(s): the cluster is stopping, so every worker (old and new) stops with it`);
  }
}
