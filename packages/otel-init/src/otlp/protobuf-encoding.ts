// OTLP/HTTP protobuf: each span is encoded once, when added (span-batch.ts), as a ScopeSpans.spans
// field; the request around the spans (resource and scope headers, length prefixes) is written here,
// with every length known before it is written.
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { writeAttributes } from './protobuf-attributes';
import { writeSpan } from './protobuf-span';
import { ProtoWriter, varintSize } from './proto-writer';
import { byResource, cachedSize, copySpans, spanBytes, type RequestFraming, type ScopeSlice, type SpanEncoder } from './request-framing';
import { SpanBatch } from './span-batch';
import type { SpanResource, SpanScope } from './span-groups';
import type { OnCoerced } from './span-text';
import type { TraceEncoding } from './trace-encoding';

/** A tag and the longest length prefix (a message under 4 GiB). */
const FIELD_OVERHEAD = 1 + 5;

/** A resource's schema URL and a scope's attributes are optional on the SDK lines we support. */
type WithSchemaUrl = { schemaUrl?: string };
type ScopeExtras = { attributes?: Record<string, unknown>; droppedAttributesCount?: number };

/** ResourceSpans.resource (field 1, with its tag), then, separately, ResourceSpans.schema_url (field 3). */
function resourceParts(resource: SpanResource): [Uint8Array, Uint8Array] {
  const head = new ProtoWriter(256);
  head.byte(0x0a);
  const start = head.begin(2);
  writeAttributes(head, resource.attributes, 0x0a);
  head.end(start, 2);
  return [head.buf.subarray(0, head.pos), schemaUrlField((resource as WithSchemaUrl).schemaUrl)];
}

/** ScopeSpans.scope (field 1, with its tag), then ScopeSpans.schema_url (field 3). */
function scopeParts(scope: SpanScope): [Uint8Array, Uint8Array] {
  const head = new ProtoWriter(128);
  head.byte(0x0a);
  const start = head.begin();
  head.byte(0x0a);
  head.string(scope.name);
  if (scope.version) {
    head.byte(0x12);
    head.string(scope.version);
  }
  const { attributes, droppedAttributesCount } = scope as ScopeExtras;
  if (attributes) writeAttributes(head, attributes, 0x1a);
  if (droppedAttributesCount) {
    head.byte(0x20);
    head.uint32(droppedAttributesCount);
  }
  head.end(start);
  return [head.buf.subarray(0, head.pos), schemaUrlField(scope.schemaUrl)];
}

function schemaUrlField(schemaUrl: string | undefined): Uint8Array {
  if (!schemaUrl) return new Uint8Array(0);
  const w = new ProtoWriter(schemaUrl.length + 8);
  w.byte(0x1a);
  w.string(schemaUrl);
  return w.buf.subarray(0, w.pos);
}

const partsBytes = ([head, tail]: [Uint8Array, Uint8Array]): number => FIELD_OVERHEAD + head.length + tail.length;

const framing: RequestFraming = {
  emptyBytes: 0,
  spanOverhead: 0,
  resourceOverhead: cachedSize((resource: SpanResource) => partsBytes(resourceParts(resource))),
  scopeOverhead: cachedSize((scope: SpanScope) => partsBytes(scopeParts(scope))),
  write(slices: readonly ScopeSlice[]) {
    // The lengths first (each header once), then the bytes, in a buffer of the exact size.
    const plan = byResource(slices).map((run) => {
      const resource = resourceParts((run[0] as ScopeSlice).resource);
      const scopes = run.map((slice) => {
        const parts = scopeParts(slice.scope);
        return { slice, parts, length: parts[0].length + spanBytes(slice) + parts[1].length };
      });
      const length = scopes.reduce((sum, s) => sum + 1 + varintSize(s.length) + s.length, resource[0].length + resource[1].length);
      return { resource, scopes, length };
    });
    const total = plan.reduce((sum, r) => sum + 1 + varintSize(r.length) + r.length, 0);
    const out = new ProtoWriter(Math.max(total, 1));
    const own: ScopeSlice[] = [];
    for (const { resource, scopes, length } of plan) {
      out.byte(0x0a); // ExportTraceServiceRequest.resource_spans
      out.uint32(length);
      out.raw(resource[0]);
      for (const { slice, parts, length: scopeLength } of scopes) {
        out.byte(0x12); // ResourceSpans.scope_spans
        out.uint32(scopeLength);
        out.raw(parts[0]);
        own.push(copySpans(out, slice, -1));
        out.raw(parts[1]);
      }
      out.raw(resource[1]);
    }
    return { body: out.buf.subarray(0, out.pos), slices: own };
  },
};

/** The size of the last span's length prefix: the next one's guess. */
let guess = 1;

const encoder: SpanEncoder<ProtoWriter> = {
  framing,
  newWriter: (size) => new ProtoWriter(size),
  writeSpan: (w: ProtoWriter, span: ReadableSpan, onCoerced: OnCoerced | undefined) => {
    w.byte(0x12); // ScopeSpans.spans
    guess = writeSpan(w, span, guess, onCoerced);
  },
};

/** OTLP/HTTP with protobuf bodies (`http/protobuf`). */
export const protobufEncoding: TraceEncoding = {
  contentType: 'application/x-protobuf',
  newBatch: (onCoerced) => new SpanBatch(encoder, onCoerced),
};
