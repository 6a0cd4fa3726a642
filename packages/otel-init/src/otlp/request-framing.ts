// What a request holds besides its spans' own bytes, the part that differs between the protobuf and
// the JSON encodings: a resource's and a scope's header and trailer, the separators, the request's
// envelope. A batch (span-batch.ts) asks it for sizes as spans are added, and to write the request at
// take(), and again for each half after a 413 (sliced-request.ts).
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { GrowableBuffer } from './growable-buffer';
import type { SpanResource, SpanScope } from './span-groups';
import type { OnCoerced } from './span-text';

/** The spans of one scope of one resource, each at [starts[i], ends[i]) of `source`. */
export interface ScopeSlice {
  readonly resource: SpanResource;
  readonly scope: SpanScope;
  readonly source: Uint8Array;
  readonly starts: readonly number[];
  readonly ends: readonly number[];
  /** Each span's name (as sent), for a line about one of them. */
  readonly names: readonly string[];
}

/** How one encoding frames spans into an ExportTraceServiceRequest. */
export interface RequestFraming {
  /** The size of a request with no span. */
  readonly emptyBytes: number;
  /** At most what a span adds besides its own bytes (a separator). */
  readonly spanOverhead: number;
  /** At most what a resource adds around its scopes. */
  resourceOverhead(resource: SpanResource): number;
  /** At most what a scope adds around its spans. */
  scopeOverhead(scope: SpanScope): number;
  /** The request holding `slices` (consecutive slices of one resource are one ResourceSpans), and the slices over its own bytes. */
  write(slices: readonly ScopeSlice[]): { body: Uint8Array; slices: ScopeSlice[] };
}

/** One encoding: its span writer and its framing. */
export interface SpanEncoder<W extends GrowableBuffer> {
  readonly framing: RequestFraming;
  newWriter(size: number): W;
  /** Writes `span`'s own bytes (for protobuf with its tag and length) at the writer's end. */
  writeSpan(w: W, span: ReadableSpan, onCoerced: OnCoerced | undefined): void;
}

/** Sizes that an overhead computes from a resource or scope, kept per object (a provider has one resource, a tracer one scope). */
export function cachedSize<K extends object>(compute: (key: K) => number): (key: K) => number {
  const sizes = new WeakMap<K, number>();
  return (key) => {
    let size = sizes.get(key);
    if (size === undefined) {
      size = compute(key);
      sizes.set(key, size);
    }
    return size;
  };
}

/** Runs of `slices` that share a resource, in order. */
export function byResource(slices: readonly ScopeSlice[]): ScopeSlice[][] {
  const runs: ScopeSlice[][] = [];
  for (const slice of slices) {
    const last = runs[runs.length - 1];
    if (last && (last[0] as ScopeSlice).resource === slice.resource) last.push(slice);
    else runs.push([slice]);
  }
  return runs;
}

/** The bytes of a slice's spans. */
export function spanBytes(slice: ScopeSlice): number {
  let bytes = 0;
  for (let i = 0; i < slice.starts.length; i++) bytes += (slice.ends[i] as number) - (slice.starts[i] as number);
  return bytes;
}

/**
 * Copies a slice's spans into `out`, `separator` (a byte, or -1 for none) between them; returns the
 * slice over `out`. Adjacent spans are copied in one go.
 */
export function copySpans(out: GrowableBuffer, slice: ScopeSlice, separator: number): ScopeSlice {
  const starts: number[] = [];
  const ends: number[] = [];
  const { source } = slice;
  const n = slice.starts.length;
  if (separator < 0) {
    let i = 0;
    while (i < n) {
      let j = i;
      while (j + 1 < n && slice.ends[j] === slice.starts[j + 1]) j++;
      const offset = out.pos - (slice.starts[i] as number);
      out.raw(source.subarray(slice.starts[i], slice.ends[j]));
      for (let k = i; k <= j; k++) {
        starts.push((slice.starts[k] as number) + offset);
        ends.push((slice.ends[k] as number) + offset);
      }
      i = j + 1;
    }
  } else {
    for (let i = 0; i < n; i++) {
      if (i > 0) out.byte(separator);
      starts.push(out.pos);
      out.raw(source.subarray(slice.starts[i], slice.ends[i]));
      ends.push(out.pos);
    }
  }
  return { resource: slice.resource, scope: slice.scope, source: out.buf, starts, ends, names: slice.names };
}
