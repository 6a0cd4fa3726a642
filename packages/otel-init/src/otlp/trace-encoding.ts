// The contract between forkhooks' own span pipeline (issue 14, section 2) and its OTLP encoders:
// a span is encoded when it ends, into the batch that will carry it, and is not kept. The
// processor (tracing/encoding-processor.ts) never sees the wire format; the sender (http-sender.ts)
// only sees bytes and a content type.
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/** Spans encoded as they ended, grouped (by resource, then instrumentation scope) for one OTLP request. */
export interface TraceBatch {
  /** Encodes `span` into the batch. The span is not referenced afterwards. */
  add(span: ReadableSpan): void;
  /** Spans added since the last take(). */
  readonly count: number;
  /** The ExportTraceServiceRequest holding every span added since the last take(); the batch is empty after. */
  take(): Uint8Array;
}

/** One OTLP/HTTP wire format of traces. */
export interface TraceEncoding {
  /** The Content-Type of its requests: `application/x-protobuf` or `application/json`. */
  readonly contentType: string;
  /** An empty batch. */
  newBatch(): TraceBatch;
}
