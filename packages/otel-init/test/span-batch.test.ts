import { SpanKind } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { ExportTraceServiceRequestType } from '../../receiver/src/otlp/proto-schema';
import { traceEncoding } from '../src/otlp/encodings';
import type { EncodedRequest, TextField } from '../src/otlp/trace-encoding';

// The encoders' batch with hostile input (issue 21): adding a span is atomic, the size it reports
// bounds the request, a limit keeps a span out, and a taken request halves into two valid requests
// holding the same spans. Real SDK spans; protobuf decoded with the receiver's schema, JSON parsed.
const PROTOCOLS = ['http/protobuf', 'http/json'] as const;

function spans(count: number, scopes = 1): ReadableSpan[] {
  const ended: ReadableSpan[] = [];
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'batch-test' }),
    spanProcessors: [{ onStart: () => undefined, onEnd: (span) => void ended.push(span), forceFlush: async () => undefined, shutdown: async () => undefined }],
  });
  for (let i = 0; i < count; i++) provider.getTracer(`scope-${i % scopes}`, '1.0').startSpan(`span-${i}`, { kind: SpanKind.SERVER, attributes: { i, pad: 'p'.repeat(i * 7) } }).end();
  return ended;
}

/** A span that throws part-way through its encoding: after its ids and name are written. */
function throwing(span: ReadableSpan, where: 'attributes' | 'links'): ReadableSpan {
  return Object.create(span, {
    [where]: {
      get() {
        throw new Error(`hostile ${where}`);
      },
    },
  }) as ReadableSpan;
}

function withName(span: ReadableSpan, name: unknown): ReadableSpan {
  return Object.create(span, { name: { value: name } }) as ReadableSpan;
}

/** The names of the spans in a request, in order. */
function names(protocol: (typeof PROTOCOLS)[number], body: Uint8Array): string[] {
  if (protocol === 'http/json') {
    const doc = JSON.parse(Buffer.from(body).toString('utf8')) as { resourceSpans: { scopeSpans: { spans: { name: string }[] }[] }[] };
    return doc.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((span) => span.name)));
  }
  const request = ExportTraceServiceRequestType.toObject(ExportTraceServiceRequestType.decode(body)) as { resourceSpans?: { scopeSpans?: { spans?: { name: string }[] }[] }[] };
  return (request.resourceSpans ?? []).flatMap((r) => (r.scopeSpans ?? []).flatMap((s) => (s.spans ?? []).map((span) => span.name)));
}

describe.each(PROTOCOLS)('the %s batch, with hostile spans', (protocol) => {
  const encoding = traceEncoding(protocol);

  it.each(['attributes', 'links'] as const)('a span whose encoding throws (in its %s) leaves nothing behind: the request is byte for byte the one without it', (where) => {
    const good = spans(6, 2);
    const clean = encoding.newBatch();
    for (const span of good) clean.add(span, Infinity);
    const hostile = encoding.newBatch();
    good.forEach((span, i) => {
      hostile.add(span, Infinity);
      // Between every two good spans, in each scope: the partial bytes would land mid-request.
      if (i % 2 === 0) expect(() => hostile.add(throwing(span, where), Infinity)).toThrow(`hostile ${where}`);
    });
    expect(hostile.count).toBe(6);
    const a = hostile.take().body;
    expect(Buffer.from(a).equals(Buffer.from(clean.take().body))).toBe(true);
    expect(names(protocol, a)).toEqual(['span-0', 'span-2', 'span-4', 'span-1', 'span-3', 'span-5']);
  });

  it('a hostile span that is the first of its scope leaves no empty scope behind', () => {
    const [first, second] = spans(2, 2) as [ReadableSpan, ReadableSpan];
    const batch = encoding.newBatch();
    batch.add(first, Infinity);
    expect(() => batch.add(throwing(second, 'links'), Infinity)).toThrow();
    const only = encoding.newBatch();
    only.add(first, Infinity);
    expect(Buffer.from(batch.take().body).equals(Buffer.from(only.take().body))).toBe(true);
  });

  it('coerces names that are not strings as String() does, and tells each to onCoerced', () => {
    const heard: [TextField, unknown, string][] = [];
    const batch = encoding.newBatch((field, value, text) => heard.push([field, value, text]));
    const base = spans(1)[0] as ReadableSpan;
    const sym = Symbol('s');
    const hostileNames: unknown[] = [123, undefined, sym, { a: 1 }, null, 10n, { toString: () => { throw new Error('no'); } }];
    for (const name of hostileNames) batch.add(withName(base, name), Infinity);
    expect(names(protocol, batch.take().body)).toEqual(['123', 'undefined', 'Symbol(s)', '[object Object]', 'null', '10', '[object Object]']);
    expect(heard.map(([field, , text]) => `${field}=${text}`)).toEqual(['span name=123', 'span name=undefined', 'span name=Symbol(s)', 'span name=[object Object]', 'span name=null', 'span name=10', 'span name=[object Object]']);
  });

  it('reports the request size as spans are added, never less than the request take() writes, and keeps out a span that would pass the limit', () => {
    const batch = encoding.newBatch();
    const all = spans(40, 3);
    let last = 0;
    for (const span of all) {
      const size = batch.add(span, 4_000);
      if (size > 4_000) break;
      expect(size).toBe(batch.bytes);
      last = size;
    }
    expect(batch.count).toBeGreaterThan(3);
    expect(batch.count).toBeLessThan(40);
    const count = batch.count;
    const body = batch.take().body;
    expect(body.length).toBeLessThanOrEqual(last);
    // The bound is close: length prefixes counted at 5 bytes, a comma per span at most.
    expect(last - body.length).toBeLessThan(60);
    expect(names(protocol, body)).toHaveLength(count);
  });

  it('halves a taken request, again and again, into valid requests holding the same spans in the same order', () => {
    const batch = encoding.newBatch();
    for (const span of spans(23, 3)) batch.add(span, Infinity);
    const whole = batch.take();
    const expected = names(protocol, whole.body);
    const leaves: EncodedRequest[] = [];
    const split = (request: EncodedRequest): void => {
      expect(names(protocol, request.body)).toHaveLength(request.count);
      if (request.count === 1) return void leaves.push(request);
      const [a, b] = request.halves();
      expect([a.count, b.count]).toEqual([Math.floor(request.count / 2), request.count - Math.floor(request.count / 2)]);
      split(a);
      split(b);
    };
    split(whole);
    expect(leaves.map((leaf) => leaf.firstName)).toEqual(names(protocol, whole.body));
    expect(leaves.flatMap((leaf) => names(protocol, leaf.body)).sort()).toEqual([...expected].sort());
  });
});
