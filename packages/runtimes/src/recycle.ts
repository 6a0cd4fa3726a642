import { randomInt } from 'node:crypto';
import type { LiveWorker } from './cluster-slot';
import type { ResolvedManagerOptions } from './manager-options';
import type { RecycleInfo } from './types/cluster-handle';

const MIB = 1024 * 1024;

/** One worker's maxRequests: the option plus 0..maxRequestsJitter, so workers do not all recycle at once. */
export function requestLimit(options: ResolvedManagerOptions): number | undefined {
  if (options.maxRequests === undefined) return undefined;
  return options.maxRequests + (options.maxRequestsJitter > 0 ? randomInt(options.maxRequestsJitter + 1) : 0);
}

/** Whether `live` crossed maxRequests or maxMemoryMb at its last heartbeat, and the figures that say so. */
export function recycleReason(live: LiveWorker, options: ResolvedManagerOptions): RecycleInfo | undefined {
  const requests = live.requests ?? 0;
  const rssMb = Math.round(((live.rss ?? 0) / MIB) * 10) / 10;
  const figures = { ...live.info, requests, rssMb };
  if (live.requestLimit !== undefined && requests >= live.requestLimit) return { ...figures, reason: 'max-requests' };
  if (options.maxMemoryMb !== undefined && (live.rss ?? 0) > options.maxMemoryMb * MIB) return { ...figures, reason: 'max-memory' };
  return undefined;
}

/** The log line of a recycle: what was crossed, and that the replacement comes first. */
export function describeRecycle(info: RecycleInfo, options: ResolvedManagerOptions, limit: number | undefined): string {
  const what = info.reason === 'max-requests' ? `served ${info.requests} requests (maxRequests ${limit})` : `uses ${info.rssMb} MiB RSS (maxMemoryMb ${options.maxMemoryMb})`;
  return `worker ${info.workerIndex} (pid ${info.pid}) ${what}: recycling it, its replacement first, then a graceful stop`;
}
