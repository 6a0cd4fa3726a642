// One span as OTLP/JSON, with the fields the official JsonTraceSerializer writes (zero counts and
// empty lists included), and enums as integers (kind: API + 1). Names and the status message that
// are not strings are coerced (span-text.ts).
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { writeAttributesJson } from './json-attributes';
import type { JsonWriter } from './json-writer';
import { spanFlags } from './span-flags';
import { spanText, type OnCoerced } from './span-text';

type Event = ReadableSpan['events'][number];
type Context = ReturnType<ReadableSpan['spanContext']>;
type Link = ReadableSpan['links'][number];

/** Writes `span` as an OTLP/JSON Span object. */
export function writeSpanJson(w: JsonWriter, span: ReadableSpan, onCoerced?: OnCoerced): void {
  const context = span.spanContext();
  const parent = span.parentSpanContext;
  w.ascii('{"traceId":');
  w.hexId(context.traceId);
  w.ascii(',"spanId":');
  w.hexId(context.spanId);
  if (parent?.spanId) {
    w.ascii(',"parentSpanId":');
    w.hexId(parent.spanId);
  }
  writeTraceState(w, context);
  w.ascii(',"name":');
  w.string(spanText(span.name, 'span name', onCoerced));
  w.ascii(',"kind":');
  w.uint(span.kind == null ? 0 : span.kind + 1);
  w.ascii(',"startTimeUnixNano":');
  w.nanos(span.startTime);
  w.ascii(',"endTimeUnixNano":');
  w.nanos(span.endTime);
  w.ascii(',"attributes":');
  writeAttributesJson(w, span.attributes);
  w.ascii(',"droppedAttributesCount":');
  w.uint(span.droppedAttributesCount);
  w.ascii(',"events":');
  writeList(w, span.events, (out, event) => writeEventJson(out, event, onCoerced));
  w.ascii(',"droppedEventsCount":');
  w.uint(span.droppedEventsCount);
  const { code, message } = span.status;
  w.ascii(',"status":{"code":');
  w.uint(code);
  if (message !== undefined) {
    w.ascii(',"message":');
    w.string(spanText(message, 'status message', onCoerced));
  }
  w.ascii('},"links":');
  writeList(w, span.links, writeLinkJson);
  w.ascii(',"droppedLinksCount":');
  w.uint(span.droppedLinksCount);
  w.ascii(',"flags":');
  w.uint(spanFlags(context.traceFlags, parent?.isRemote));
  w.byte(0x7d);
}

function writeEventJson(w: JsonWriter, event: Event, onCoerced: OnCoerced | undefined): void {
  w.ascii('{"attributes":');
  writeAttributesJson(w, event.attributes);
  w.ascii(',"name":');
  w.string(spanText(event.name, 'event name', onCoerced));
  w.ascii(',"timeUnixNano":');
  w.nanos(event.time);
  w.ascii(',"droppedAttributesCount":');
  w.uint(event.droppedAttributesCount || 0);
  w.byte(0x7d);
}

function writeLinkJson(w: JsonWriter, link: Link): void {
  const context = link.context;
  w.ascii('{"attributes":');
  writeAttributesJson(w, link.attributes);
  w.ascii(',"spanId":');
  w.hexId(context.spanId);
  w.ascii(',"traceId":');
  w.hexId(context.traceId);
  writeTraceState(w, context);
  w.ascii(',"droppedAttributesCount":');
  w.uint(link.droppedAttributesCount || 0);
  w.ascii(',"flags":');
  w.uint(spanFlags(context.traceFlags, context.isRemote));
  w.byte(0x7d);
}

/** The `traceState` member, written whenever the context has a TraceState (even an empty one), as the official serializer does. */
function writeTraceState(w: JsonWriter, context: Context): void {
  const traceState = context.traceState?.serialize();
  if (traceState === undefined) return;
  w.ascii(',"traceState":');
  w.string(traceState);
}

/** A JSON array of `items`, each written by `write`. */
export function writeList<T>(w: JsonWriter, items: readonly T[], write: (w: JsonWriter, item: T) => void): void {
  w.byte(0x5b);
  for (let i = 0; i < items.length; i++) {
    if (i > 0) w.byte(0x2c);
    write(w, items[i] as T);
  }
  w.byte(0x5d);
}
