// OTLP/HTTP protobuf: each span is encoded once, when added, into its scope's writer; take() writes
// the ExportTraceServiceRequest around those bytes (resource and scope headers, length prefixes)
// into a fresh buffer the caller owns, and the writers are kept for the next batch.
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { writeAttributes } from './protobuf-attributes';
import { writeSpan } from './protobuf-span';
import { ProtoWriter, varintSize } from './proto-writer';
import { SpanGroups, type SpanGroup, type SpanResource, type SpanScope } from './span-groups';
import type { TraceBatch, TraceEncoding } from './trace-encoding';

const INITIAL_BYTES = 16 * 1024;
/** Room for a resource or scope header, for guessing the size of a length prefix. */
const HEADER_ROOM = 4 * 1024;

interface ScopeBody {
  readonly writer: ProtoWriter;
}

/** A resource's schema URL and a scope's attributes are optional on the SDK lines we support. */
type WithSchemaUrl = { schemaUrl?: string };
type ScopeExtras = { attributes?: Record<string, unknown>; droppedAttributesCount?: number };

class ProtobufTraceBatch implements TraceBatch {
  count = 0;
  private readonly free: ProtoWriter[] = [];
  private readonly groups = new SpanGroups<ScopeBody>(() => ({ writer: this.free.pop() ?? new ProtoWriter(INITIAL_BYTES) }));
  /** The size of the last span's length prefix: the next one's guess. */
  private guess = 1;
  private lastSize = INITIAL_BYTES;

  add(span: ReadableSpan): void {
    const w = this.groups.groupOf(span).body.writer;
    w.byte(0x12); // ScopeSpans.spans
    this.guess = writeSpan(w, span, this.guess);
    this.count++;
  }

  take(): Uint8Array {
    const resources = this.groups.take();
    let spanBytes = 0;
    for (const groups of resources) for (const group of groups) spanBytes += group.body.writer.pos;
    const out = new ProtoWriter(spanBytes + resources.length * HEADER_ROOM + 64);
    for (const groups of resources) writeResourceSpans(out, groups);
    for (const groups of resources) {
      for (const { body } of groups) {
        body.writer.reset(this.lastSize);
        this.free.push(body.writer);
      }
    }
    this.lastSize = spanBytes;
    this.count = 0;
    return out.buf.subarray(0, out.pos);
  }
}

/** ExportTraceServiceRequest.resource_spans: one resource and its scopes. */
function writeResourceSpans(out: ProtoWriter, groups: SpanGroup<ScopeBody>[]): void {
  const resource = (groups[0] as SpanGroup<ScopeBody>).resource;
  let bytes = HEADER_ROOM;
  for (const group of groups) bytes += group.body.writer.pos + HEADER_ROOM;
  out.byte(0x0a);
  const guess = varintSize(bytes);
  const start = out.begin(guess);
  writeResource(out, resource);
  for (const group of groups) writeScopeSpans(out, group);
  const schemaUrl = (resource as WithSchemaUrl).schemaUrl;
  if (schemaUrl) {
    out.byte(0x1a);
    out.string(schemaUrl);
  }
  out.end(start, guess);
}

function writeResource(out: ProtoWriter, resource: SpanResource): void {
  out.byte(0x0a); // ResourceSpans.resource
  const start = out.begin(2);
  writeAttributes(out, resource.attributes, 0x0a);
  out.end(start, 2);
}

function writeScopeSpans(out: ProtoWriter, group: SpanGroup<ScopeBody>): void {
  const spans = group.body.writer;
  out.byte(0x12); // ResourceSpans.scope_spans
  const guess = varintSize(spans.pos + HEADER_ROOM);
  const start = out.begin(guess);
  writeScope(out, group.scope);
  out.raw(spans.buf.subarray(0, spans.pos));
  if (group.scope.schemaUrl) {
    out.byte(0x1a);
    out.string(group.scope.schemaUrl);
  }
  out.end(start, guess);
}

function writeScope(out: ProtoWriter, scope: SpanScope): void {
  out.byte(0x0a); // ScopeSpans.scope
  const start = out.begin();
  out.byte(0x0a);
  out.string(scope.name);
  if (scope.version) {
    out.byte(0x12);
    out.string(scope.version);
  }
  const { attributes, droppedAttributesCount } = scope as ScopeExtras;
  if (attributes) writeAttributes(out, attributes, 0x1a);
  if (droppedAttributesCount) {
    out.byte(0x20);
    out.uint32(droppedAttributesCount);
  }
  out.end(start);
}

/** OTLP/HTTP with protobuf bodies (`http/protobuf`). */
export const protobufEncoding: TraceEncoding = {
  contentType: 'application/x-protobuf',
  newBatch: () => new ProtobufTraceBatch(),
};
