// The contract between forkhooks' own span pipeline (issue 14, section 2) and its OTLP encoders:
// a span is encoded when it ends, into the batch that will carry it, and is not kept. The
// processor (tracing/encoding-processor.ts) never sees the wire format; the sender (http-sender.ts)
// only sees bytes and a content type.
// Issue 21: adding a span is atomic (a throw leaves nothing of it in the batch), a batch knows the
// size its request will have (so a request never passes a byte limit), and a taken batch keeps its
// spans' boundaries, so that a collector's 413 can be answered with the same spans in two halves.
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { OnCoerced } from './span-text';

export type { OnCoerced, TextField } from './span-text';

/** Spans encoded as they ended, grouped (by resource, then instrumentation scope) for one OTLP request. */
export interface TraceBatch {
  /**
   * Encodes `span` into the batch, unless the request would then pass `maxBytes`; returns the size
   * the request would have with it (more than `maxBytes`: the span was not added). Atomic: when the
   * encoding throws, nothing of the span stays in the batch, and the error is thrown on.
   */
  add(span: ReadableSpan, maxBytes: number): number;
  /** Spans added since the last take(). */
  readonly count: number;
  /** The size of the request take() would give now (at most: length prefixes are counted at their largest). */
  readonly bytes: number;
  /** The ExportTraceServiceRequest holding every span added since the last take(); the batch is empty after. */
  take(): EncodedRequest;
}

/** One request's bytes, with its spans' boundaries kept. */
export interface EncodedRequest {
  readonly body: Uint8Array;
  /** Spans in it. */
  readonly count: number;
  /** The name of its first span (for the line about one span too big for the collector). */
  readonly firstName: string;
  /** Its spans in two requests, the first with count / 2 of them (rounded down); count must be 2 or more. */
  halves(): [EncodedRequest, EncodedRequest];
}

/** One OTLP/HTTP wire format of traces. */
export interface TraceEncoding {
  /** The Content-Type of its requests: `application/x-protobuf` or `application/json`. */
  readonly contentType: string;
  /** An empty batch; `onCoerced` hears each value the API forbids that had to be coerced to text (span-text.ts). */
  newBatch(onCoerced?: OnCoerced): TraceBatch;
}
