// OTLP/HTTP JSON: each span is written as JSON once, when added (span-batch.ts); the request around
// the spans (resource and scope objects, the lists and their commas) is written here, into a buffer
// of the exact size.
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { writeAttributesJson } from './json-attributes';
import { writeSpanJson } from './json-span';
import { JsonWriter } from './json-writer';
import { byResource, cachedSize, copySpans, spanBytes, type RequestFraming, type ScopeSlice, type SpanEncoder } from './request-framing';
import { SpanBatch } from './span-batch';
import type { SpanResource, SpanScope } from './span-groups';
import type { OnCoerced } from './span-text';
import type { TraceEncoding } from './trace-encoding';

const COMMA = 0x2c;
const OPEN = '{"resourceSpans":[';
const CLOSE = ']}';

/** A resource's schema URL and a scope's attributes are optional on the SDK lines we support. */
type WithSchemaUrl = { schemaUrl?: string };
type ScopeExtras = { attributes?: Record<string, unknown>; droppedAttributesCount?: number };

function text(write: (w: JsonWriter) => void): Uint8Array {
  const w = new JsonWriter(256);
  write(w);
  return w.buf.subarray(0, w.pos);
}

/** A ResourceSpans up to its scopes, and after them. Its schema URL belongs to the ResourceSpans (opentelemetry-proto's Resource has no such field). */
function resourceParts(resource: SpanResource): [Uint8Array, Uint8Array] {
  const head = text((w) => {
    w.ascii('{"resource":{"attributes":');
    writeAttributesJson(w, resource.attributes);
    w.ascii(',"droppedAttributesCount":0},"scopeSpans":[');
  });
  return [head, text((w) => closeWithSchemaUrl(w, (resource as WithSchemaUrl).schemaUrl || undefined))];
}

/** A ScopeSpans up to its spans, and after them. */
function scopeParts(scope: SpanScope): [Uint8Array, Uint8Array] {
  const head = text((w) => {
    w.ascii('{"scope":{"name":');
    w.string(scope.name);
    if (scope.version !== undefined) {
      w.ascii(',"version":');
      w.string(scope.version);
    }
    const { attributes, droppedAttributesCount } = scope as ScopeExtras;
    if (attributes && Object.keys(attributes).length > 0) {
      w.ascii(',"attributes":');
      writeAttributesJson(w, attributes);
      w.ascii(',"droppedAttributesCount":');
      w.uint(droppedAttributesCount ?? 0);
    }
    w.ascii('},"spans":[');
  });
  return [head, text((w) => closeWithSchemaUrl(w, scope.schemaUrl))];
}

/** `]`, a `schemaUrl` member when there is one (the official serializer writes an empty one too), `}`. */
function closeWithSchemaUrl(w: JsonWriter, schemaUrl: string | undefined): void {
  w.byte(0x5d);
  if (schemaUrl !== undefined) {
    w.ascii(',"schemaUrl":');
    w.string(schemaUrl);
  }
  w.byte(0x7d);
}

/** A comma before it, and its two parts. */
const partsBytes = ([head, tail]: [Uint8Array, Uint8Array]): number => 1 + head.length + tail.length;

const framing: RequestFraming = {
  emptyBytes: OPEN.length + CLOSE.length,
  spanOverhead: 1,
  resourceOverhead: cachedSize((resource: SpanResource) => partsBytes(resourceParts(resource))),
  scopeOverhead: cachedSize((scope: SpanScope) => partsBytes(scopeParts(scope))),
  write(slices: readonly ScopeSlice[]) {
    const plan = byResource(slices).map((run) => ({
      parts: resourceParts((run[0] as ScopeSlice).resource),
      scopes: run.map((slice) => ({ slice, parts: scopeParts(slice.scope) })),
    }));
    let total = OPEN.length + CLOSE.length + Math.max(0, plan.length - 1);
    for (const { parts, scopes } of plan) {
      total += parts[0].length + parts[1].length + scopes.length - 1;
      for (const { slice, parts: scope } of scopes) total += scope[0].length + scope[1].length + spanBytes(slice) + slice.starts.length - 1;
    }
    const out = new JsonWriter(total);
    const own: ScopeSlice[] = [];
    out.ascii(OPEN);
    plan.forEach(({ parts, scopes }, r) => {
      if (r > 0) out.byte(COMMA);
      out.raw(parts[0]);
      scopes.forEach(({ slice, parts: scope }, s) => {
        if (s > 0) out.byte(COMMA);
        out.raw(scope[0]);
        own.push(copySpans(out, slice, COMMA));
        out.raw(scope[1]);
      });
      out.raw(parts[1]);
    });
    out.ascii(CLOSE);
    return { body: out.buf.subarray(0, out.pos), slices: own };
  },
};

const encoder: SpanEncoder<JsonWriter> = {
  framing,
  newWriter: (size) => new JsonWriter(size),
  writeSpan: (w: JsonWriter, span: ReadableSpan, onCoerced: OnCoerced | undefined) => writeSpanJson(w, span, onCoerced),
};

/** OTLP/HTTP with JSON bodies (`http/json`). */
export const jsonEncoding: TraceEncoding = {
  contentType: 'application/json',
  newBatch: (onCoerced) => new SpanBatch(encoder, onCoerced),
};
