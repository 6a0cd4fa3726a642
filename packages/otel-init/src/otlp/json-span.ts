// One span as OTLP/JSON text, with the fields the official JsonTraceSerializer writes (zero counts
// and empty lists included), and enums as integers (kind: API + 1).
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { attributes, hexId, nanos, quote } from './json-values';
import { spanFlags } from './span-flags';

type Event = ReadableSpan['events'][number];
type Link = ReadableSpan['links'][number];

/** The JSON text of `span` as an OTLP Span. */
export function spanJson(span: ReadableSpan): string {
  const context = span.spanContext();
  const parent = span.parentSpanContext;
  const traceState = context.traceState?.serialize();
  const { code, message } = span.status;
  return (
    `{"traceId":${hexId(context.traceId)},"spanId":${hexId(context.spanId)}` +
    (parent?.spanId ? `,"parentSpanId":${hexId(parent.spanId)}` : '') +
    (traceState !== undefined ? `,"traceState":${quote(traceState)}` : '') +
    `,"name":${quote(span.name)},"kind":${span.kind == null ? 0 : span.kind + 1}` +
    `,"startTimeUnixNano":${nanos(span.startTime)},"endTimeUnixNano":${nanos(span.endTime)}` +
    `,"attributes":${attributes(span.attributes)},"droppedAttributesCount":${span.droppedAttributesCount}` +
    `,"events":[${span.events.map(eventJson).join(',')}],"droppedEventsCount":${span.droppedEventsCount}` +
    `,"status":{"code":${code}${message !== undefined ? `,"message":${quote(message)}` : ''}}` +
    `,"links":[${span.links.map(linkJson).join(',')}],"droppedLinksCount":${span.droppedLinksCount}` +
    `,"flags":${spanFlags(context.traceFlags, parent?.isRemote)}}`
  );
}

function eventJson(event: Event): string {
  return `{"attributes":${attributes(event.attributes)},"name":${quote(event.name)},"timeUnixNano":${nanos(event.time)},"droppedAttributesCount":${event.droppedAttributesCount || 0}}`;
}

function linkJson(link: Link): string {
  const context = link.context;
  const traceState = context.traceState?.serialize();
  return (
    `{"attributes":${attributes(link.attributes)},"spanId":${hexId(context.spanId)},"traceId":${hexId(context.traceId)}` +
    (traceState !== undefined ? `,"traceState":${quote(traceState)}` : '') +
    `,"droppedAttributesCount":${link.droppedAttributesCount || 0},"flags":${spanFlags(context.traceFlags, context.isRemote)}}`
  );
}
