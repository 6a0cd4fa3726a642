import { HttpError } from '../errors/http-error';
import type { AttributeValue, Attributes, ReceivedSpan } from '../types/received-span';
import { durationMs, spanKindName, statusCodeName } from './names';
import { ExportTraceServiceRequestType } from './proto-schema';

// The shapes protobufjs' reflection decoder produces for the schema in proto-schema.ts. Unset
// scalars read as their defaults, unset messages as null, and 64-bit integers as Long objects
// (or plain numbers when the `long` package is absent).
export type Int64 = number | { low: number; high: number; unsigned: boolean; toString(): string; toNumber(): number };
export interface PbKeyValue { key: string; value: PbAnyValue | null }
interface PbAnyValue {
  value?: 'stringValue' | 'boolValue' | 'intValue' | 'doubleValue' | 'arrayValue' | 'kvlistValue' | 'bytesValue';
  stringValue: string;
  boolValue: boolean;
  intValue: Int64;
  doubleValue: number;
  arrayValue: { values: PbAnyValue[] } | null;
  kvlistValue: { values: PbKeyValue[] } | null;
  bytesValue: Uint8Array;
}
interface PbSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId: Uint8Array;
  name: string;
  kind: number;
  startTimeUnixNano: Int64;
  endTimeUnixNano: Int64;
  attributes: PbKeyValue[];
  events: { timeUnixNano: Int64; name: string; attributes: PbKeyValue[] }[];
  links: { traceId: Uint8Array; spanId: Uint8Array; attributes: PbKeyValue[] }[];
  status: { message: string; code: number } | null;
}
interface PbRequest {
  resourceSpans: {
    resource: { attributes: PbKeyValue[] } | null;
    scopeSpans: { scope: { name: string; version: string } | null; spans: PbSpan[] }[];
  }[];
}

/** Decodes an `application/x-protobuf` ExportTraceServiceRequest into flattened spans; throws a 400 `HttpError` on bad input. */
export function decodeProtobufTraces(body: Uint8Array): ReceivedSpan[] {
  let request: PbRequest;
  try {
    request = ExportTraceServiceRequestType.decode(body) as unknown as PbRequest;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const hint = /index out of range/.test(detail) ? '; is it truncated?' : '';
    throw new HttpError(400, `body is not a valid protobuf ExportTraceServiceRequest (${detail})${hint}`);
  }
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of request.resourceSpans) {
    const resource = attributes(resourceSpans.resource?.attributes ?? []);
    for (const scopeSpans of resourceSpans.scopeSpans) {
      const scopeName = scopeSpans.scope?.name ?? '';
      const scopeVersion = scopeSpans.scope?.version || undefined;
      for (const span of scopeSpans.spans) spans.push(toSpan(span, resource, scopeName, scopeVersion));
    }
  }
  return spans;
}

function toSpan(span: PbSpan, resource: Attributes, scopeName: string, scopeVersion: string | undefined): ReceivedSpan {
  const start = unsigned(span.startTimeUnixNano);
  const end = unsigned(span.endTimeUnixNano);
  const parent = hex(span.parentSpanId);
  return {
    traceId: hex(span.traceId),
    spanId: hex(span.spanId),
    parentSpanId: parent === '' ? undefined : parent,
    name: span.name,
    kind: spanKindName(span.kind) ?? 'unspecified',
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    durationMs: durationMs(start, end),
    attributes: attributes(span.attributes),
    resource,
    scopeName,
    scopeVersion,
    status: { code: statusCodeName(span.status?.code ?? 0) ?? 'unset', message: span.status?.message || undefined },
    events: span.events.map((event) => ({
      name: event.name,
      timeUnixNano: unsigned(event.timeUnixNano),
      attributes: attributes(event.attributes),
    })),
    links: span.links.map((link) => ({ traceId: hex(link.traceId), spanId: hex(link.spanId), attributes: attributes(link.attributes) })),
  };
}

export function attributes(list: PbKeyValue[]): Attributes {
  const result: Attributes = {};
  for (const { key, value } of list) result[key] = anyValue(value);
  return result;
}

function anyValue(value: PbAnyValue | null): AttributeValue {
  switch (value?.value) {
    case 'stringValue':
      return value.stringValue;
    case 'boolValue':
      return value.boolValue;
    case 'intValue':
      return signed(value.intValue);
    case 'doubleValue':
      return value.doubleValue;
    case 'arrayValue':
      return (value.arrayValue?.values ?? []).map(anyValue);
    case 'kvlistValue':
      return attributes(value.kvlistValue?.values ?? []);
    case 'bytesValue':
      return Buffer.from(value.bytesValue).toString('base64');
    default:
      return null;
  }
}

function hex(bytes: Uint8Array): string {
  // An unset bytes field decodes as an empty plain array, not a Uint8Array.
  return (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes)).toString('hex');
}

/** A fixed64 as an exact decimal string. */
function unsigned(value: Int64): string {
  return typeof value === 'number' ? String(value) : value.toString();
}

/** An int64 as a number when exact, else as a decimal string. */
function signed(value: Int64): number | string {
  if (typeof value === 'number') return value;
  const asNumber = value.toNumber();
  return Number.isSafeInteger(asNumber) ? asNumber : value.toString();
}
