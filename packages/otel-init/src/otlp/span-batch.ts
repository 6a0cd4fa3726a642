// One batch of either encoding: each span is encoded once, when added, into its scope's writer, and
// its boundaries are kept; the request's size is known as spans are added (so the processor can cut a
// batch before it passes a byte limit), and take() writes the request around those bytes into a fresh
// buffer the caller owns. Writers are kept for the next batch.
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { GrowableBuffer } from './growable-buffer';
import type { SpanEncoder, ScopeSlice } from './request-framing';
import { slicedRequest } from './sliced-request';
import { SpanGroups, type SpanResource } from './span-groups';
import { spanText, type OnCoerced } from './span-text';
import type { EncodedRequest, TraceBatch } from './trace-encoding';

const INITIAL_BYTES = 16 * 1024;

interface ScopeSpans<W> {
  readonly writer: W;
  readonly starts: number[];
  readonly ends: number[];
  readonly names: string[];
}

/** A TraceBatch over one encoding's writer and framing. */
export class SpanBatch<W extends GrowableBuffer> implements TraceBatch {
  count = 0;
  bytes: number;
  private readonly free: W[] = [];
  private readonly groups = new SpanGroups<ScopeSpans<W>>(() => ({ writer: this.free.pop() ?? this.encoder.newWriter(INITIAL_BYTES), starts: [], ends: [], names: [] }));
  /** Resources with a span in this batch. */
  private readonly resources = new Set<SpanResource>();
  private lastSize = INITIAL_BYTES;

  constructor(
    private readonly encoder: SpanEncoder<W>,
    private readonly onCoerced: OnCoerced | undefined,
  ) {
    this.bytes = encoder.framing.emptyBytes;
  }

  add(span: ReadableSpan, maxBytes: number): number {
    const group = this.groups.groupOf(span);
    const spans = group.body;
    const w = spans.writer;
    const start = w.pos;
    try {
      this.encoder.writeSpan(w, span, this.onCoerced);
    } catch (error) {
      // Atomic: the partial bytes (a tag, half a string) would make the whole request invalid.
      w.pos = start;
      throw error;
    }
    const { framing } = this.encoder;
    let total = this.bytes + (w.pos - start) + framing.spanOverhead;
    if (spans.starts.length === 0) {
      total += framing.scopeOverhead(group.scope);
      if (!this.resources.has(group.resource)) total += framing.resourceOverhead(group.resource);
    }
    if (total > maxBytes) {
      w.pos = start;
      return total;
    }
    spans.starts.push(start);
    spans.ends.push(w.pos);
    spans.names.push(spanText(span.name, 'span name', undefined));
    this.resources.add(group.resource);
    this.bytes = total;
    this.count++;
    return total;
  }

  take(): EncodedRequest {
    const resources = this.groups.take();
    const slices: ScopeSlice[] = [];
    let written = 0;
    for (const groups of resources) {
      for (const { resource, scope, body } of groups) {
        written += body.writer.pos;
        if (body.starts.length > 0) slices.push({ resource, scope, source: body.writer.buf, starts: body.starts, ends: body.ends, names: body.names });
      }
    }
    const request = slicedRequest(this.encoder.framing, slices);
    for (const groups of resources) {
      for (const { body } of groups) {
        body.writer.reset(this.lastSize);
        this.free.push(body.writer);
      }
    }
    this.lastSize = written;
    this.count = 0;
    this.bytes = this.encoder.framing.emptyBytes;
    this.resources.clear();
    return request;
  }
}
