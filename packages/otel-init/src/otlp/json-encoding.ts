// OTLP/HTTP JSON: each span is written as JSON, when added, into its scope's writer; take() writes
// the ExportTraceServiceRequest around those bytes into a fresh buffer the caller owns, and the
// writers are kept for the next batch.
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { writeAttributesJson } from './json-attributes';
import { writeList, writeSpanJson } from './json-span';
import { JsonWriter } from './json-writer';
import { SpanGroups, type SpanGroup, type SpanResource, type SpanScope } from './span-groups';
import type { TraceBatch, TraceEncoding } from './trace-encoding';

const INITIAL_BYTES = 16 * 1024;
/** Room for a resource's and its scopes' JSON around their spans. */
const HEADER_ROOM = 8 * 1024;

/** A resource's schema URL and a scope's attributes are optional on the SDK lines we support. */
type WithSchemaUrl = { schemaUrl?: string };
type ScopeExtras = { attributes?: Record<string, unknown>; droppedAttributesCount?: number };

class JsonTraceBatch implements TraceBatch {
  count = 0;
  private readonly free: JsonWriter[] = [];
  private readonly groups = new SpanGroups<JsonWriter>(() => this.free.pop() ?? new JsonWriter(INITIAL_BYTES));
  private lastSize = INITIAL_BYTES;

  add(span: ReadableSpan): void {
    const w = this.groups.groupOf(span).body;
    if (w.pos > 0) w.byte(0x2c); // ,
    writeSpanJson(w, span);
    this.count++;
  }

  take(): Uint8Array {
    const resources = this.groups.take();
    let spanBytes = 0;
    for (const groups of resources) for (const group of groups) spanBytes += group.body.pos;
    // A fresh buffer: the caller owns the bytes until they are sent.
    const out = new JsonWriter(spanBytes + resources.length * HEADER_ROOM + 64);
    out.ascii('{"resourceSpans":');
    writeList(out, resources, writeResourceSpans);
    out.byte(0x7d);
    for (const groups of resources) {
      for (const { body } of groups) {
        body.reset(this.lastSize);
        this.free.push(body);
      }
    }
    this.lastSize = spanBytes;
    this.count = 0;
    return out.buf.subarray(0, out.pos);
  }
}

function writeResourceSpans(out: JsonWriter, groups: SpanGroup<JsonWriter>[]): void {
  const resource = (groups[0] as SpanGroup<JsonWriter>).resource;
  const schemaUrl = (resource as WithSchemaUrl).schemaUrl;
  out.ascii('{"resource":');
  writeResource(out, resource);
  out.ascii(',"scopeSpans":');
  writeList(out, groups, writeScopeSpans);
  writeSchemaUrl(out, schemaUrl || undefined);
  out.byte(0x7d);
}

/** A Resource: its schema URL belongs to the ResourceSpans (opentelemetry-proto's Resource has no such field). */
function writeResource(out: JsonWriter, resource: SpanResource): void {
  out.ascii('{"attributes":');
  writeAttributesJson(out, resource.attributes);
  out.ascii(',"droppedAttributesCount":0}');
}

function writeScopeSpans(out: JsonWriter, group: SpanGroup<JsonWriter>): void {
  out.ascii('{"scope":');
  writeScope(out, group.scope);
  out.ascii(',"spans":[');
  out.raw(group.body.buf.subarray(0, group.body.pos));
  out.byte(0x5d);
  writeSchemaUrl(out, group.scope.schemaUrl);
  out.byte(0x7d);
}

function writeScope(out: JsonWriter, scope: SpanScope): void {
  out.ascii('{"name":');
  out.string(scope.name);
  if (scope.version !== undefined) {
    out.ascii(',"version":');
    out.string(scope.version);
  }
  const { attributes, droppedAttributesCount } = scope as ScopeExtras;
  if (attributes && Object.keys(attributes).length > 0) {
    out.ascii(',"attributes":');
    writeAttributesJson(out, attributes);
    out.ascii(',"droppedAttributesCount":');
    out.uint(droppedAttributesCount ?? 0);
  }
  out.byte(0x7d);
}

/** A `schemaUrl` member, when there is one (the official serializer writes an empty one too). */
function writeSchemaUrl(out: JsonWriter, schemaUrl: string | undefined): void {
  if (schemaUrl === undefined) return;
  out.ascii(',"schemaUrl":');
  out.string(schemaUrl);
}

/** OTLP/HTTP with JSON bodies (`http/json`). */
export const jsonEncoding: TraceEncoding = {
  contentType: 'application/json',
  newBatch: () => new JsonTraceBatch(),
};
