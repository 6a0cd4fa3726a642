import { parentPort } from 'node:worker_threads';

/** The tag every forkhooks IPC message carries, so it never collides with an app's own messages. */
export const MESSAGE_TAG = 'forkhooks';

/** Messages a worker sends to its manager. */
export type WorkerMessage =
  | { forkhooks: 'ready'; pid: number; workerIndex: number; generation: number }
  | { forkhooks: 'failed'; pid: number; phase: string; hookName: string | undefined; message: string }
  /** The worker's stop reached its drain, or its atexit: what a forced kill would cut off. */
  | { forkhooks: 'stopping'; pid: number; phase: StopPhase }
  /** A cluster worker's drain closed its servers: its runCluster primary answers 'routing-stopped' (stop/routing-barrier.ts). */
  | { forkhooks: 'servers-closed'; pid: number }
  /**
   * The worker's event loop is alive: its RSS, the requests its closeOnStop http servers have seen, the
   * spans a kill would lose now (ended, not exported; undefined without tracing), and where its watchdog
   * thread listens for a rescue (or why it does not).
   */
  | { forkhooks: 'heartbeat'; pid: number; rss: number; requests: number; unsent?: number; rescue?: string; rescueOff?: string }
  /** The worker's current cumulative metrics: the answer to a metrics-request, or (final: true) its last snapshot at atexit. */
  | { forkhooks: 'metrics-response'; id: number; pid: number; workerIndex: number; final?: boolean; families: MetricFamily[] };

/** The parts of a worker's stop, in order: drain the servers, then run atexit. */
export type StopPhase = 'drain' | 'atexit';

/** Messages a manager sends to its worker. */
export type ManagerMessage =
  | { forkhooks: 'stop' }
  | { forkhooks: 'metrics-request'; id: number }
  /** The answer to 'servers-closed': the primary has read the worker's server close and routes no connection to it any more. */
  | { forkhooks: 'routing-stopped' };

/**
 * One metric of one worker, cumulative, in a form that needs no OpenTelemetry SDK to read: what a worker
 * sends its runCluster primary, which merges them into one Prometheus endpoint for the cluster.
 * `counter`: monotonic sums; `gauge`: gauges and up-down counters (kept per worker); `histogram`:
 * explicit buckets, `counts[i]` the (non-cumulative) count of bucket i, one more than `bounds`.
 */
export interface MetricFamily {
  name: string;
  help: string;
  unit: string;
  type: 'counter' | 'gauge' | 'histogram';
  points: MetricPoint[];
}

/** One data point of a MetricFamily: `value` for counters and gauges, `histogram` for histograms. */
export interface MetricPoint {
  labels: Record<string, string>;
  value?: number;
  histogram?: { bounds: number[]; counts: number[]; sum: number; count: number };
}

/** True for a forkhooks message of the given kind. */
export function isMessage<K extends string>(value: unknown, kind: K): value is { forkhooks: K } {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[MESSAGE_TAG] === kind;
}

/**
 * Sends `message` to whoever spawned this worker (IPC parent or parent thread), if anyone listens.
 * Resolves once it is handed over, or after `timeoutMs`: a message must never hold an exit.
 */
export function notifyManager(message: WorkerMessage | 'ready', timeoutMs = 1_000): Promise<void> {
  if (parentPort) {
    parentPort.postMessage(message);
    return Promise.resolve();
  }
  const send = process.send?.bind(process);
  if (!send || !process.connected) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    try {
      send(message, undefined, {}, () => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}
