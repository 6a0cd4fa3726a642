import { describeError, log } from '@forkhooks/core';
import { isMessage, notifyManager, type MetricFamily, type WorkerMessage } from '@forkhooks/core/manager';

/** Where a worker's metrics come from, and who it is. */
export interface MetricsSource {
  snapshot(): Promise<MetricFamily[]>;
  workerIndex: number;
}

/**
 * In a runCluster worker with OTEL_METRICS_EXPORTER=prometheus: answers the primary's
 * `metrics-request` with this worker's cumulative metrics. Returns a function that stops listening.
 */
export function answerMetricsRequests(source: MetricsSource): () => void {
  const onMessage = (message: unknown): void => {
    if (!isMessage(message, 'metrics-request')) return;
    const id = Number((message as { id?: unknown }).id);
    source.snapshot().then(
      (families) => void notifyManager(response(source, id, families, false)),
      (error: unknown) => log.warn(`metrics scrape: could not collect this worker's metrics: ${describeError(error)}`),
    );
  };
  process.on('message', onMessage);
  return () => process.off('message', onMessage);
}

/** The worker's last cumulative metrics, sent at atexit: the primary keeps them once it has exited (monotonic counters). */
export async function sendFinalSnapshot(source: MetricsSource, timeoutMs: number): Promise<void> {
  const families = await source.snapshot();
  await notifyManager(response(source, -1, families, true), timeoutMs);
}

function response(source: MetricsSource, id: number, families: MetricFamily[], final: boolean): WorkerMessage {
  return { forkhooks: 'metrics-response', id, pid: process.pid, workerIndex: source.workerIndex, ...(final && { final }), families };
}
