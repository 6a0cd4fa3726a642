import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { TracingConfigError } from '../src/shared/errors';
import { traceEncoding } from '../src/otlp/encodings';
import { useReceiver } from './receiver-fixture';

// forkhooks' OTLP encodings end to end: real SDK spans, encoded a span at a time, POSTed over HTTP
// to the real receiver with the encoding's content type; the receiver decodes and keeps them.

/** 50 fibonacci-shaped requests (root -> fib_slow, fib_fast) and one span with every attribute type. */
function makeSpans(): ReadableSpan[] {
  const spans: ReadableSpan[] = [];
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'encoder-e2e', 'service.instance.id': 'e2e-1' }),
    spanProcessors: [{ onStart: () => undefined, onEnd: (span) => void spans.push(span), forceFlush: async () => undefined, shutdown: async () => undefined }],
  });
  const tracer = provider.getTracer('fibonacci', '1.0.0');
  for (let n = 0; n < 50; n++) {
    const root = tracer.startSpan('root', { kind: SpanKind.SERVER });
    const parent = trace.setSpan(context.active(), root);
    tracer.startSpan('fib_slow', { attributes: { n, nth_fibonacci: 6765 } }, parent).end();
    tracer.startSpan('fib_fast', { attributes: { n, nth_fibonacci: 6765 } }, parent).end();
    root.end();
  }
  const typed = tracer.startSpan('typed', { attributes: { s: 'ünï 😀', i: -3, big: 2 ** 40, d: 2.5, b: true, list: ['x', 'y'] } });
  typed.addEvent('ev', { k: 1 });
  typed.setStatus({ code: SpanStatusCode.ERROR, message: 'nope' });
  typed.end();
  return spans;
}

async function post(url: string, contentType: string, body: Uint8Array): Promise<number> {
  const response = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': contentType }, body, signal: AbortSignal.timeout(10_000) });
  await response.arrayBuffer();
  return response.status;
}

describe.each(['http/protobuf', 'http/json'] as const)('the %s encoding, sent to the receiver', (protocol) => {
  const receiver = useReceiver();

  it('is accepted, and the receiver counts every span with its names and attributes', async () => {
    const spans = makeSpans();
    const encoding = traceEncoding(protocol);
    const batch = encoding.newBatch();
    for (const span of spans) batch.add(span, Infinity);
    expect(batch.count).toBe(spans.length);
    expect(await post(receiver().url, encoding.contentType, batch.take().body)).toBe(200);

    expect(receiver().count()).toBe(151);
    const received = receiver().spans();
    expect(received.filter((s) => s.name === 'fib_slow').map((s) => s.attributes)).toEqual(Array.from({ length: 50 }, (_, n) => ({ n, nth_fibonacci: 6765 })));
    expect(received.filter((s) => s.name === 'root')).toHaveLength(50);
    const fast = received.find((s) => s.name === 'fib_fast');
    const root = received.find((s) => s.spanId === fast?.parentSpanId);
    expect(root).toMatchObject({ name: 'root', kind: 'server', traceId: fast?.traceId, scopeName: 'fibonacci', scopeVersion: '1.0.0' });
    const typed = received.find((s) => s.name === 'typed');
    expect(typed).toMatchObject({
      attributes: { s: 'ünï 😀', i: -3, big: 2 ** 40, d: 2.5, b: true, list: ['x', 'y'] },
      resource: { 'service.name': 'encoder-e2e', 'service.instance.id': 'e2e-1' },
      status: { code: 'error', message: 'nope' },
      events: [{ name: 'ev', attributes: { k: 1 } }],
      kind: 'internal',
    });
    const original = spans.find((s) => s.name === 'typed');
    expect(typed?.startTimeUnixNano).toBe(String(BigInt(original?.startTime[0] ?? 0) * 1_000_000_000n + BigInt(original?.startTime[1] ?? 0)));
  });

  it('sends an empty request for a batch with no spans, which the receiver accepts', async () => {
    const encoding = traceEncoding(protocol);
    expect(await post(receiver().url, encoding.contentType, encoding.newBatch().take().body)).toBe(200);
    expect(receiver().count()).toBe(0);
  });
});

describe('traceEncoding', () => {
  it('refuses a protocol that has no OTLP/HTTP encoding, naming it and the ones that exist', () => {
    expect(() => traceEncoding('grpc' as never)).toThrow(TracingConfigError);
    expect(() => traceEncoding('grpc' as never)).toThrow(/protocol: "grpc" has no OTLP\/HTTP trace encoding: use 'http\/protobuf' or 'http\/json'/);
  });

  it('gives each protocol its content type', () => {
    expect([traceEncoding('http/protobuf').contentType, traceEncoding('http/json').contentType]).toEqual(['application/x-protobuf', 'application/json']);
  });
});
