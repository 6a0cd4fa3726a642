import { HttpError } from '../errors/http-error';
import { attributes as jsonAttributes } from '../otlp/decode-json';
import { attributes as pbAttributes, type Int64, type PbKeyValue } from '../otlp/decode-protobuf';
import { DecodeCost, WHOLE_BODY_COSTS } from '../otlp/decode-cost';
import { chargeJson } from '../otlp/json-cost';
import { bad, double } from '../otlp/json-scalars';
import { chargeProtobuf } from '../otlp/protobuf-cost';
import { ExportMetricsServiceRequestType } from '../otlp/proto-schema';
import type { Attributes } from '../types/received-span';

/**
 * One data point the metrics summary counts: a monotonic sum's value ('counter') or a histogram's
 * count ('histogram'), with its resource and attributes. Gauges and non-monotonic sums are not summed.
 */
export interface ReceivedMetricPoint {
  resource: Attributes;
  name: string;
  kind: 'counter' | 'histogram';
  /** true: the value is a running total (OTLP CUMULATIVE); false: a delta since the last export. */
  cumulative: boolean;
  attributes: Attributes;
  value: number;
}

/** OTLP's AGGREGATION_TEMPORALITY_CUMULATIVE. */
const CUMULATIVE = 2;

type Json = Record<string, unknown>;

/** Decodes an OTLP/JSON ExportMetricsServiceRequest; throws a 400 naming the field, a 413 past `maxDecodedBytes` (see decode-cost.ts). */
export function decodeJsonMetrics(body: Buffer, maxDecodedBytes: number): ReceivedMetricPoint[] {
  chargeJson(body, new DecodeCost(maxDecodedBytes, body.length));
  let request: unknown;
  try {
    request = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, `body is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const points: ReceivedMetricPoint[] = [];
  arrayOf(request, 'resourceMetrics', 'request').forEach((rm, r) => {
    const path = `resourceMetrics[${r}]`;
    const resource = jsonAttributes(objectOf(rm, 'resource'), `${path}.resource`);
    arrayOf(rm, 'scopeMetrics', path).forEach((sm, s) => {
      arrayOf(sm, 'metrics', `${path}.scopeMetrics[${s}]`).forEach((metric, m) => {
        const at = `${path}.scopeMetrics[${s}].metrics[${m}]`;
        const name = (metric as Json).name;
        if (typeof name !== 'string') throw bad(`${at}.name`, 'expected a string');
        const sum = objectOf(metric, 'sum');
        const histogram = objectOf(metric, 'histogram');
        if (sum?.isMonotonic === true) {
          arrayOf(sum, 'dataPoints', `${at}.sum`).forEach((p, i) => {
            const point = p as Json;
            const raw = point.asInt ?? point.asDouble;
            const value = double(typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw, `${at}.sum.dataPoints[${i}]`);
            points.push({ resource, name, kind: 'counter', cumulative: temporality(sum) === CUMULATIVE, attributes: jsonAttributes(point, `${at}.sum.dataPoints[${i}]`), value });
          });
        }
        if (histogram) {
          arrayOf(histogram, 'dataPoints', `${at}.histogram`).forEach((p, i) => {
            const point = p as Json;
            const value = Number(point.count ?? 0);
            if (!Number.isFinite(value)) throw bad(`${at}.histogram.dataPoints[${i}].count`, 'expected a number');
            points.push({ resource, name, kind: 'histogram', cumulative: temporality(histogram) === CUMULATIVE, attributes: jsonAttributes(point, `${at}.histogram.dataPoints[${i}]`), value });
          });
        }
      });
    });
  });
  return points;
}

interface PbNumberPoint { attributes: PbKeyValue[]; value?: 'asDouble' | 'asInt'; asDouble: number; asInt: Int64 }
interface PbMetric {
  name: string;
  sum: { dataPoints: PbNumberPoint[]; aggregationTemporality: number; isMonotonic: boolean } | null;
  histogram: { dataPoints: { attributes: PbKeyValue[]; count: Int64 }[]; aggregationTemporality: number } | null;
}
interface PbRequest { resourceMetrics: { resource: { attributes: PbKeyValue[] } | null; scopeMetrics: { metrics: PbMetric[] }[] }[] }

/** Decodes a protobuf ExportMetricsServiceRequest; throws a 400 on bad input, a 413 past `maxDecodedBytes` (see decode-cost.ts). */
export function decodeProtobufMetrics(body: Uint8Array, maxDecodedBytes: number): ReceivedMetricPoint[] {
  chargeProtobuf(ExportMetricsServiceRequestType, body, new DecodeCost(maxDecodedBytes, body.length), WHOLE_BODY_COSTS);
  let request: PbRequest;
  try {
    request = ExportMetricsServiceRequestType.decode(body) as unknown as PbRequest;
  } catch (error) {
    throw new HttpError(400, `body is not a valid protobuf ExportMetricsServiceRequest (${error instanceof Error ? error.message : String(error)})`);
  }
  const points: ReceivedMetricPoint[] = [];
  for (const rm of request.resourceMetrics) {
    const resource = pbAttributes(rm.resource?.attributes ?? []);
    for (const metric of rm.scopeMetrics.flatMap((sm) => sm.metrics)) {
      if (metric.sum?.isMonotonic) {
        const cumulative = metric.sum.aggregationTemporality === CUMULATIVE;
        for (const p of metric.sum.dataPoints) {
          points.push({ resource, name: metric.name, kind: 'counter', cumulative, attributes: pbAttributes(p.attributes), value: p.value === 'asInt' ? toNumber(p.asInt) : p.asDouble });
        }
      }
      if (metric.histogram) {
        const cumulative = metric.histogram.aggregationTemporality === CUMULATIVE;
        for (const p of metric.histogram.dataPoints) {
          points.push({ resource, name: metric.name, kind: 'histogram', cumulative, attributes: pbAttributes(p.attributes), value: toNumber(p.count) });
        }
      }
    }
  }
  return points;
}

function toNumber(value: Int64): number {
  return typeof value === 'number' ? value : value.toNumber();
}

function temporality(owner: Json): number {
  const raw = owner.aggregationTemporality;
  return raw === 'AGGREGATION_TEMPORALITY_CUMULATIVE' ? CUMULATIVE : Number(raw);
}

function objectOf(owner: unknown, name: string): Json | undefined {
  const value = (owner as Json | null)?.[name];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function arrayOf(owner: unknown, name: string, path: string): unknown[] {
  if (typeof owner !== 'object' || owner === null) throw bad(path, 'expected an object');
  const value = (owner as Json)[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw bad(`${path}.${name}`, 'expected an array');
  return value;
}
