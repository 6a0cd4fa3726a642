import type { MetricFamily, MetricPoint } from '@forkhooks/core/manager';

/** Families by name, points by label set: what a merge builds. */
export type MergedFamilies = Map<string, { family: Omit<MetricFamily, 'points'>; points: Map<string, MetricPoint> }>;

/** The key of a label set: its pairs, sorted. */
export function labelKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Adds `families` into `into`: counters summed per label set, histograms bucket by bucket (same
 * bounds only: a point with other bounds is returned as a conflict), gauges only when `gauges`
 * (a worker's gauges are its own: the caller labels them with the worker).
 */
export function addFamilies(into: MergedFamilies, families: readonly MetricFamily[], gauges: boolean): string[] {
  const conflicts: string[] = [];
  for (const family of families) {
    if (family.type === 'gauge' && !gauges) continue;
    let entry = into.get(family.name);
    if (!entry) {
      entry = { family: { name: family.name, help: family.help, unit: family.unit, type: family.type }, points: new Map() };
      into.set(family.name, entry);
    } else if (entry.family.type !== family.type) {
      conflicts.push(`${family.name} is a ${family.type} in one worker and a ${entry.family.type} in another`);
      continue;
    }
    for (const point of family.points) {
      const key = labelKey(point.labels);
      const seen = entry.points.get(key);
      // A gauge seen twice (a slot's old and new worker during a reload): the later one wins.
      if (!seen || family.type === 'gauge') entry.points.set(key, copy(point));
      else if (!add(seen, point)) conflicts.push(`${family.name}${key}: histogram bounds differ between workers`);
    }
  }
  return conflicts;
}

function copy(point: MetricPoint): MetricPoint {
  const { histogram } = point;
  return { labels: { ...point.labels }, ...(point.value !== undefined && { value: point.value }), ...(histogram && { histogram: { ...histogram, bounds: [...histogram.bounds], counts: [...histogram.counts] } }) };
}

/** Sums `point` into `into`; false when their histogram bounds differ. */
function add(into: MetricPoint, point: MetricPoint): boolean {
  if (into.histogram && point.histogram) {
    const a = into.histogram;
    const b = point.histogram;
    if (a.bounds.length !== b.bounds.length || a.bounds.some((bound, i) => bound !== b.bounds[i])) return false;
    a.counts = a.counts.map((count, i) => count + (b.counts[i] ?? 0));
    a.sum += b.sum;
    a.count += b.count;
    return true;
  }
  into.value = (into.value ?? 0) + (point.value ?? 0);
  return true;
}

/** A worker's gauges, each point labelled `worker="<slot>"`. */
export function workerGauges(families: readonly MetricFamily[], workerIndex: number): MetricFamily[] {
  return families
    .filter((f) => f.type === 'gauge')
    .map((f) => ({ ...f, points: f.points.map((p) => ({ ...p, labels: { ...p.labels, worker: String(workerIndex) } })) }));
}
