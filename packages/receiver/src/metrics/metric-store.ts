import type { ReceivedMetricPoint } from './decode-metrics';

/** What the receiver saw of one instance's metrics: totals by metric name. */
export interface InstanceMetrics {
  instanceId: string | undefined;
  pid: number | undefined;
  workerIndex: number | undefined;
  /** Each monotonic sum (counter), summed over its attribute sets. */
  counters: Record<string, number>;
  /** Each histogram's count, summed over its attribute sets. */
  histogramCounts: Record<string, number>;
}

/**
 * Keeps, per `service.instance.id`, metric and attribute set, the running total: the latest value
 * of a cumulative point (each export repeats it), the sum of delta points.
 */
export class MetricStore {
  readonly #instances = new Map<string, { summary: Omit<InstanceMetrics, 'counters' | 'histogramCounts'>; totals: Map<string, { kind: ReceivedMetricPoint['kind']; name: string; value: number }> }>();
  #points = 0;

  add(points: readonly ReceivedMetricPoint[]): void {
    for (const point of points) {
      this.#points += 1;
      const id = point.resource['service.instance.id'];
      const instanceId = typeof id === 'string' ? id : undefined;
      const key = instanceId ?? '';
      let instance = this.#instances.get(key);
      if (!instance) {
        const pid = point.resource['process.pid'];
        const index = point.resource['forkhooks.worker.index'];
        instance = { summary: { instanceId, pid: typeof pid === 'number' ? pid : undefined, workerIndex: typeof index === 'number' ? index : undefined }, totals: new Map() };
        this.#instances.set(key, instance);
      }
      const series = `${point.kind}\u0000${point.name}\u0000${JSON.stringify(Object.entries(point.attributes).sort())}`;
      const seen = instance.totals.get(series);
      const value = point.cumulative || !seen ? point.value : seen.value + point.value;
      instance.totals.set(series, { kind: point.kind, name: point.name, value });
    }
  }

  /** Data points received in all. */
  points(): number {
    return this.#points;
  }

  instances(): InstanceMetrics[] {
    return [...this.#instances.values()].map(({ summary, totals }) => {
      const counters: Record<string, number> = {};
      const histogramCounts: Record<string, number> = {};
      for (const { kind, name, value } of totals.values()) {
        const into = kind === 'counter' ? counters : histogramCounts;
        into[name] = (into[name] ?? 0) + value;
      }
      return { ...summary, counters, histogramCounts };
    });
  }

  /** One counter's total over every instance. */
  counterTotal(name: string): number {
    return this.instances().reduce((sum, instance) => sum + (instance.counters[name] ?? 0), 0);
  }

  reset(): void {
    this.#instances.clear();
    this.#points = 0;
  }
}
