// One span as an OTLP `Span` message (opentelemetry/proto/trace/v1/trace.proto), with the tags
// written as constant bytes: (field << 3) | wire type. Zero counts and unset fields are left out
// (proto3 defaults); the status is always written, as the official serializer does. Names and the
// status message that are not strings are coerced (span-text.ts).
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { writeAttributes } from './protobuf-attributes';
import type { ProtoWriter } from './proto-writer';
import { spanFlags } from './span-flags';
import { spanText, type OnCoerced } from './span-text';

type Event = ReadableSpan['events'][number];
type Link = ReadableSpan['links'][number];

/**
 * Writes `span` as a length-delimited Span (its tag already written), reserving `guess` bytes for
 * its length; returns the length's actual size, the next span's best guess.
 */
export function writeSpan(w: ProtoWriter, span: ReadableSpan, guess: number, onCoerced?: OnCoerced): number {
  const start = w.begin(guess);
  const context = span.spanContext();
  w.byte(0x0a); // trace_id
  w.hexBytes(context.traceId);
  w.byte(0x12); // span_id
  w.hexBytes(context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState) {
    w.byte(0x1a);
    w.string(traceState);
  }
  const parent = span.parentSpanContext;
  if (parent?.spanId) {
    w.byte(0x22); // parent_span_id
    w.hexBytes(parent.spanId);
  }
  w.byte(0x2a); // name
  w.string(spanText(span.name, 'span name', onCoerced));
  // The API's SpanKind has no UNSPECIFIED: proto = API + 1.
  if (span.kind != null) {
    w.byte(0x30);
    w.uint32(span.kind + 1);
  }
  w.byte(0x39); // start_time_unix_nano
  w.hrTime(span.startTime);
  w.byte(0x41); // end_time_unix_nano
  w.hrTime(span.endTime);
  writeAttributes(w, span.attributes, 0x4a);
  if (span.droppedAttributesCount) {
    w.byte(0x50);
    w.uint32(span.droppedAttributesCount);
  }
  const events = span.events;
  for (let i = 0; i < events.length; i++) writeEvent(w, events[i] as Event, onCoerced);
  if (span.droppedEventsCount) {
    w.byte(0x60);
    w.uint32(span.droppedEventsCount);
  }
  const links = span.links;
  for (let i = 0; i < links.length; i++) writeLink(w, links[i] as Link);
  if (span.droppedLinksCount) {
    w.byte(0x70);
    w.uint32(span.droppedLinksCount);
  }
  w.byte(0x7a); // status
  const status = w.begin();
  const { code, message } = span.status;
  if (message) {
    w.byte(0x12);
    w.string(spanText(message, 'status message', onCoerced));
  }
  if (code) {
    w.byte(0x18);
    w.uint32(code);
  }
  w.end(status);
  w.byte(0x85); // flags: field 16, fixed32 (a two-byte tag)
  w.byte(0x01);
  w.fixed32(spanFlags(context.traceFlags, parent?.isRemote));
  return w.end(start, guess);
}

function writeEvent(w: ProtoWriter, event: Event, onCoerced: OnCoerced | undefined): void {
  w.byte(0x5a); // events
  const start = w.begin();
  w.byte(0x09); // time_unix_nano
  w.hrTime(event.time);
  w.byte(0x12);
  w.string(spanText(event.name, 'event name', onCoerced));
  if (event.attributes) writeAttributes(w, event.attributes, 0x1a);
  if (event.droppedAttributesCount) {
    w.byte(0x20);
    w.uint32(event.droppedAttributesCount);
  }
  w.end(start);
}

function writeLink(w: ProtoWriter, link: Link): void {
  w.byte(0x6a); // links
  const start = w.begin();
  const context = link.context;
  w.byte(0x0a);
  w.hexBytes(context.traceId);
  w.byte(0x12);
  w.hexBytes(context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState) {
    w.byte(0x1a);
    w.string(traceState);
  }
  if (link.attributes) writeAttributes(w, link.attributes, 0x22);
  if (link.droppedAttributesCount) {
    w.byte(0x28);
    w.uint32(link.droppedAttributesCount);
  }
  w.byte(0x35); // flags, fixed32
  w.fixed32(spanFlags(context.traceFlags, context.isRemote));
  w.end(start);
}
