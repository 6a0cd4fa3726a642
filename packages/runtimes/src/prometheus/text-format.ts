import type { MetricPoint } from '@forkhooks/core/manager';
import type { MergedFamilies } from './merge';

// The Prometheus text exposition format (version 0.0.4), written here: the merged families carry no
// SDK object for @opentelemetry/exporter-prometheus's serializer, and the primary loads no SDK.

/** The Content-Type of the format. */
export const TEXT_FORMAT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A metric name Prometheus accepts: [a-zA-Z_:][a-zA-Z0-9_:]*. */
export function metricName(name: string): string {
  const clean = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[0-9]/.test(clean) ? `_${clean}` : clean;
}

function labelName(name: string): string {
  const clean = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(clean) ? `_${clean}` : clean;
}

function labelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function number(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function labels(pairs: Record<string, string>, extra?: [string, string]): string {
  const entries = Object.entries(pairs).map(([k, v]) => `${labelName(k)}="${labelValue(v)}"`);
  if (extra) entries.push(`${extra[0]}="${labelValue(extra[1])}"`);
  return entries.length > 0 ? `{${entries.join(',')}}` : '';
}

/** Every family, sorted by name: counters as `<name>_total`, histograms as `_bucket`/`_sum`/`_count`. */
export function serialize(families: MergedFamilies): string {
  const lines: string[] = [];
  for (const { family, points } of [...families.values()].sort((a, b) => (a.family.name < b.family.name ? -1 : 1))) {
    const base = metricName(family.name);
    const name = family.type === 'counter' && !base.endsWith('_total') ? `${base}_total` : base;
    if (family.help) lines.push(`# HELP ${name} ${family.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
    lines.push(`# TYPE ${name} ${family.type}`);
    for (const point of points.values()) lines.push(...samples(name, point));
  }
  return lines.join('\n') + '\n';
}

function samples(name: string, point: MetricPoint): string[] {
  const { histogram } = point;
  if (!histogram) return [`${name}${labels(point.labels)} ${number(point.value ?? 0)}`];
  const out: string[] = [];
  let cumulative = 0;
  histogram.bounds.forEach((bound, i) => {
    cumulative += histogram.counts[i] ?? 0;
    out.push(`${name}_bucket${labels(point.labels, ['le', number(bound)])} ${cumulative}`);
  });
  out.push(`${name}_bucket${labels(point.labels, ['le', '+Inf'])} ${histogram.count}`);
  out.push(`${name}_sum${labels(point.labels)} ${number(histogram.sum)}`);
  out.push(`${name}_count${labels(point.labels)} ${histogram.count}`);
  return out;
}
