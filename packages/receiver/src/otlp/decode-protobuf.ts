import type * as protobuf from 'protobufjs';
import { HttpError } from '../errors/http-error';
import type { AttributeValue, Attributes, ReceivedSpan } from '../types/received-span';
import { DecodeCost, TRACE_COSTS } from './decode-cost';
import { durationMs, spanKindName, statusCodeName } from './names';
import { chargeProtobuf } from './protobuf-cost';
import { ExportTraceServiceRequestType } from './proto-schema';
import { Turns } from './turns';
import { wireFields } from './wire-reader';

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
interface PbResource { attributes: PbKeyValue[] }
interface PbScope { name: string; version: string }

// Field numbers of opentelemetry/proto trace v1, from the schema the decoder uses (proto-schema.ts).
const REQUEST_RESOURCE_SPANS = fieldId(ExportTraceServiceRequestType, 'resourceSpans');
const ResourceSpansType = ExportTraceServiceRequestType.root.lookupType('otlp.ResourceSpans');
const RESOURCE_SPANS_RESOURCE = fieldId(ResourceSpansType, 'resource');
const RESOURCE_SPANS_SCOPE_SPANS = fieldId(ResourceSpansType, 'scopeSpans');
const ScopeSpansType = ExportTraceServiceRequestType.root.lookupType('otlp.ScopeSpans');
const SCOPE_SPANS_SCOPE = fieldId(ScopeSpansType, 'scope');
const SCOPE_SPANS_SPANS = fieldId(ScopeSpansType, 'spans');
const ResourceType = ExportTraceServiceRequestType.root.lookupType('otlp.Resource');
const ScopeType = ExportTraceServiceRequestType.root.lookupType('otlp.InstrumentationScope');
const SpanType = ExportTraceServiceRequestType.root.lookupType('otlp.Span');

function fieldId(type: protobuf.Type, name: string): number {
  const field = type.fields[name];
  if (field === undefined) throw new Error(`proto-schema.ts: ${type.name} has no field ${name}`);
  return field.id;
}

/**
 * Decodes an `application/x-protobuf` ExportTraceServiceRequest into flattened spans; rejects with a
 * 400 `HttpError` on bad input, and a 413 when it would take more than `maxDecodedBytes` of memory.
 * The body is walked first without decoding (protobuf-cost.ts), then decoded one span at a time,
 * giving the event loop a turn every few milliseconds: no ResourceSpans or ScopeSpans object is
 * made, and a 16 MiB body never holds other requests for long.
 */
export async function decodeProtobufTraces(body: Uint8Array, maxDecodedBytes: number): Promise<ReceivedSpan[]> {
  chargeProtobuf(ExportTraceServiceRequestType, body, new DecodeCost(maxDecodedBytes, body.length), TRACE_COSTS);
  const spans: ReceivedSpan[] = [];
  const turns = new Turns();
  try {
    for (const rs of children(body, { start: 0, end: body.length }, 'ExportTraceServiceRequest', REQUEST_RESOURCE_SPANS)) {
      const resourceAt = lastChild(body, rs, 'ResourceSpans', RESOURCE_SPANS_RESOURCE);
      const resource = attributes(resourceAt ? (ResourceType.decode(body.subarray(resourceAt.start, resourceAt.end)) as unknown as PbResource).attributes : []);
      for (const ss of children(body, rs, 'ResourceSpans', RESOURCE_SPANS_SCOPE_SPANS)) {
        const scopeAt = lastChild(body, ss, 'ScopeSpans', SCOPE_SPANS_SCOPE);
        const scope = scopeAt ? (ScopeType.decode(body.subarray(scopeAt.start, scopeAt.end)) as unknown as PbScope) : undefined;
        const scopeName = scope?.name ?? '';
        const scopeVersion = scope?.version || undefined;
        for (const span of children(body, ss, 'ScopeSpans', SCOPE_SPANS_SPANS)) {
          spans.push(toSpan(SpanType.decode(body.subarray(span.start, span.end)) as unknown as PbSpan, resource, scopeName, scopeVersion));
          if (turns.due()) await turns.next();
        }
        if (turns.due()) await turns.next();
      }
      if (turns.due()) await turns.next();
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    const hint = /index out of range/.test(detail) ? '; is it truncated?' : '';
    throw new HttpError(400, `body is not a valid protobuf ExportTraceServiceRequest (${detail})${hint}`);
  }
  return spans;
}

interface Range {
  start: number;
  end: number;
}

/** The embedded messages numbered `field` of the message at `range`, in order, one at a time. */
function* children(body: Uint8Array, range: Range, what: string, field: number): Generator<Range> {
  for (const wire of wireFields(body, range.start, range.end, what)) {
    if (wire.field === field && wire.wireType === 2) yield { start: wire.start, end: wire.end };
  }
}

/** The last embedded message numbered `field` (the one protobufjs keeps; it may come after the repeated ones). */
function lastChild(body: Uint8Array, range: Range, what: string, field: number): Range | undefined {
  let last: Range | undefined;
  for (const child of children(body, range, what, field)) last = child;
  return last;
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
