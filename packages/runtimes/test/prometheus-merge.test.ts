import type { MetricFamily } from '@forkhooks/core';
import { addFamilies, workerGauges, type MergedFamilies } from '../src/prometheus/merge';
import { serialize } from '../src/prometheus/text-format';
import { parsePrometheus } from '../../../test-utils/prometheus';

// The merge of two workers' snapshots into the cluster's families, and its text, read back by
// parse-prometheus-text-format (a real parser from npm).
const worker = (requests: Record<string, number>, counts: number[], queue: number): MetricFamily[] => [
  { name: 'app.requests', help: 'Requests "served"\nby route', unit: '', type: 'counter', points: Object.entries(requests).map(([route, value]) => ({ labels: { route }, value })) },
  { name: 'app.duration', help: '', unit: 'ms', type: 'histogram', points: [{ labels: {}, histogram: { bounds: [1, 10], counts, sum: counts.reduce((a, b) => a + b, 0) * 2, count: counts.reduce((a, b) => a + b, 0) } }] },
  { name: 'queue.length', help: '', unit: '', type: 'gauge', points: [{ labels: {}, value: queue }] },
];

function merge(...workers: MetricFamily[][]): MergedFamilies {
  const merged: MergedFamilies = new Map();
  workers.forEach((families, index) => {
    expect(addFamilies(merged, families, false)).toEqual([]);
    expect(addFamilies(merged, workerGauges(families, index), true)).toEqual([]);
  });
  return merged;
}

describe('the cluster /metrics merge and its text format', () => {
  it('sums counters per label set and histograms bucket by bucket, keeps gauges per worker', () => {
    const families = parsePrometheus(serialize(merge(worker({ '/a': 3, '/b': 1 }, [1, 2, 0], 5), worker({ '/a': 4 }, [0, 3, 4], 7))));
    const requests = families.find((f) => f.name === 'app_requests_total');
    expect(requests?.type).toBe('COUNTER');
    expect(requests?.help).toBe('Requests "served"\nby route');
    expect(requests?.metrics.map((m) => [m.labels?.route, m.value])).toEqual([
      ['/a', '7'],
      ['/b', '1'],
    ]);
    // Cumulative buckets: le=1: 1, le=10: 1+2+0+3 = 6, +Inf: all 10; _count 10, _sum 20.
    expect(families.find((f) => f.name === 'app_duration')?.metrics).toEqual([{ buckets: { '1': '1', '10': '6', '+Inf': '10' }, count: '10', sum: '20' }]);
    expect(families.find((f) => f.name === 'queue_length')?.metrics.map((m) => [m.labels?.worker, m.value])).toEqual([
      ['0', '5'],
      ['1', '7'],
    ]);
  });

  it('reports histogram bounds that differ between workers, and a name used with two types, instead of merging them', () => {
    const merged: MergedFamilies = new Map();
    addFamilies(merged, worker({ '/a': 1 }, [1, 0, 0], 0), false);
    const other: MetricFamily[] = [
      { name: 'app.duration', help: '', unit: 'ms', type: 'histogram', points: [{ labels: {}, histogram: { bounds: [5], counts: [1, 0], sum: 1, count: 1 } }] },
      { name: 'app.requests', help: '', unit: '', type: 'gauge', points: [{ labels: {}, value: 1 }] },
    ];
    expect(addFamilies(merged, other, true)).toEqual(['app.duration[]: histogram bounds differ between workers', 'app.requests is a gauge in one worker and a counter in another']);
  });
});
