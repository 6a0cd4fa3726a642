/**
 * An attribute value as OTLP carries it (`AnyValue`), made plain: strings, booleans, doubles, arrays and
 * key/value lists map to themselves; `intValue` becomes a number when it is a safe integer and a decimal
 * string beyond ±2^53; `bytesValue` becomes a base64 string (as OTLP/JSON writes it); an empty value is `null`.
 */
export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };

/** Attributes as a plain object keyed by attribute name. */
export type Attributes = Record<string, AttributeValue>;

/** OTLP `Span.SpanKind`, by name (OTLP numbers them from 0 = unspecified, unlike `@opentelemetry/api`). */
export type SpanKindName = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';

/** OTLP `Status.StatusCode`, by name. */
export type StatusCodeName = 'unset' | 'ok' | 'error';

/** A span event. */
export interface ReceivedSpanEvent {
  name: string;
  /** Nanoseconds since the epoch, as an exact decimal string. */
  timeUnixNano: string;
  attributes: Attributes;
}

/** A link from a span to another span. */
export interface ReceivedSpanLink {
  /** Lowercase hex, 32 characters. */
  traceId: string;
  /** Lowercase hex, 16 characters. */
  spanId: string;
  attributes: Attributes;
}

/**
 * One received span, flattened out of its ResourceSpans and ScopeSpans. Protobuf and JSON requests
 * give the same shape; ids are lowercase hex strings as in OTLP/JSON.
 */
export interface ReceivedSpan {
  /** Lowercase hex, 32 characters. */
  traceId: string;
  /** Lowercase hex, 16 characters. */
  spanId: string;
  /** Lowercase hex, 16 characters; undefined for a root span. */
  parentSpanId: string | undefined;
  name: string;
  kind: SpanKindName;
  /** Nanoseconds since the epoch, as an exact decimal string. */
  startTimeUnixNano: string;
  /** Nanoseconds since the epoch, as an exact decimal string. */
  endTimeUnixNano: string;
  /** `end - start` in milliseconds (fractional). */
  durationMs: number;
  attributes: Attributes;
  /** The attributes of the span's resource; one object shared by every span of that resource in a request. */
  resource: Attributes;
  /** The instrumentation scope's name ('' when the exporter sent none). */
  scopeName: string;
  /** The instrumentation scope's version, when it has one. */
  scopeVersion: string | undefined;
  status: { code: StatusCodeName; message: string | undefined };
  events: ReceivedSpanEvent[];
  links: ReceivedSpanLink[];
}
