// A request whose spans' boundaries are kept (a few numbers a span), so that a collector answering
// 413 gets the same spans again in two requests, each written from this one's bytes: no span is
// encoded twice, and nothing but this request's body is held while it is in flight.
import type { RequestFraming, ScopeSlice } from './request-framing';
import type { EncodedRequest } from './trace-encoding';

/** The request of `slices` as `framing` writes it. */
export function slicedRequest(framing: RequestFraming, slices: readonly ScopeSlice[]): EncodedRequest {
  const { body, slices: own } = framing.write(slices);
  return new SlicedRequest(framing, body, own.map((slice) => ({ ...slice, source: body })));
}

class SlicedRequest implements EncodedRequest {
  readonly count: number;

  constructor(
    private readonly framing: RequestFraming,
    readonly body: Uint8Array,
    private readonly slices: readonly ScopeSlice[],
  ) {
    this.count = slices.reduce((sum, slice) => sum + slice.starts.length, 0);
  }

  get firstName(): string {
    return this.slices[0]?.names[0] ?? '';
  }

  halves(): [EncodedRequest, EncodedRequest] {
    if (this.count < 2) throw new RangeError(`a request of ${this.count} span cannot be halved`);
    let left = Math.floor(this.count / 2);
    const first: ScopeSlice[] = [];
    const second: ScopeSlice[] = [];
    for (const slice of this.slices) {
      const n = slice.starts.length;
      if (left >= n) first.push(slice);
      else if (left === 0) second.push(slice);
      else {
        first.push(part(slice, 0, left));
        second.push(part(slice, left, n));
      }
      left = Math.max(0, left - n);
    }
    return [slicedRequest(this.framing, first), slicedRequest(this.framing, second)];
  }
}

function part(slice: ScopeSlice, from: number, to: number): ScopeSlice {
  return { ...slice, starts: slice.starts.slice(from, to), ends: slice.ends.slice(from, to), names: slice.names.slice(from, to) };
}
