import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { gzipSync } from 'node:zlib';
import { childOf, makeSpans, postJson, postProtobuf, send, toJson, toProtobuf, useReceiver } from './helpers';

const RESOURCE = {
  'service.name': 'checkout',
  'service.instance.id': 'instance-a',
  'process.pid': 4242,
  'forkhooks.worker.index': 1,
  'forkhooks.worker.generation': 0,
  'forkhooks.worker.runtime': 'cluster',
};

describe('decoding OTLP/HTTP trace requests', () => {
  const receiver = useReceiver();
  let spans: ReadableSpan[];

  beforeAll(async () => {
    spans = await makeSpans(RESOURCE, (tracer) => {
      const parent = tracer.startSpan('GET /cart', {
        kind: SpanKind.SERVER,
        attributes: { 'http.method': 'GET', 'http.status_code': 200, ratio: 0.25, cached: false, tags: ['a', 'b'] },
      });
      const child = childOf(tracer, parent, 'db.query');
      child.addEvent('rows', { count: 3 });
      child.setStatus({ code: SpanStatusCode.ERROR, message: 'timeout' });
      child.end();
      parent.end();
    });
  });

  it('listens on loopback and exposes its URLs', () => {
    expect(receiver().host).toBe('127.0.0.1');
    expect(receiver().port).toBeGreaterThan(0);
    expect(receiver().url).toBe(`http://127.0.0.1:${receiver().port}`);
    expect(receiver().tracesUrl).toBe(`${receiver().url}/v1/traces`);
  });

  it('takes an OTLP/JSON body and answers 200 with an empty JSON ExportTraceServiceResponse', async () => {
    const answer = await postJson(receiver().tracesUrl, toJson(spans));
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(JSON.parse(answer.body.toString())).toEqual({});
    expect(receiver().count()).toBe(2);
  });

  it('flattens spans: hex ids, parent, kind, times, attributes, resource, scope, status, events', async () => {
    await postJson(receiver().tracesUrl, toJson(spans));
    const byName = new Map(receiver().spans().map((span) => [span.name, span]));
    const parent = byName.get('GET /cart');
    const child = byName.get('db.query');
    const sdkParent = spans.find((span) => span.name === 'GET /cart') as ReadableSpan;
    expect(parent).toMatchObject({
      traceId: sdkParent.spanContext().traceId,
      spanId: sdkParent.spanContext().spanId,
      parentSpanId: undefined,
      kind: 'server',
      attributes: { 'http.method': 'GET', 'http.status_code': 200, ratio: 0.25, cached: false, tags: ['a', 'b'] },
      resource: RESOURCE,
      scopeName: 'receiver-test',
      scopeVersion: '1.0.0',
      status: { code: 'unset', message: undefined },
    });
    expect(parent?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(parent?.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(child).toMatchObject({
      traceId: parent?.traceId,
      parentSpanId: parent?.spanId,
      kind: 'internal',
      status: { code: 'error', message: 'timeout' },
      events: [{ name: 'rows', attributes: { count: 3 } }],
    });
    expect(parent?.startTimeUnixNano).toMatch(/^\d{19}$/);
    expect(BigInt(parent?.endTimeUnixNano ?? 0)).toBeGreaterThanOrEqual(BigInt(parent?.startTimeUnixNano ?? 0));
    expect(parent?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('takes a protobuf body and decodes it into exactly what the JSON of the same spans gives', async () => {
    await postJson(receiver().tracesUrl, toJson(spans));
    const fromJson = receiver().spans();
    receiver().reset();
    const answer = await postProtobuf(receiver().tracesUrl, toProtobuf(spans));
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/x-protobuf');
    expect(answer.body.length).toBe(0); // an empty ExportTraceServiceResponse
    expect(receiver().spans()).toEqual(fromJson);
  });

  it('echoes application/protobuf when the request used that spelling', async () => {
    const answer = await send(receiver().tracesUrl, { body: Buffer.from(toProtobuf(spans)), headers: { 'content-type': 'application/protobuf' } });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/protobuf');
  });

  it.each([
    ['JSON', 'application/json', () => toJson(spans)],
    ['protobuf', 'application/x-protobuf', () => Buffer.from(toProtobuf(spans))],
  ])('reads a gzip-compressed %s body', async (_name, contentType, body) => {
    const answer = await send(receiver().tracesUrl, {
      body: gzipSync(body()),
      headers: { 'content-type': contentType, 'content-encoding': 'gzip' },
    });
    expect(answer.status).toBe(200);
    expect(receiver().spans().map((span) => span.name).sort()).toEqual(['GET /cart', 'db.query']);
  });

  it('reads lenient OTLP/JSON as the collector does: snake_case, enum names, numeric times, int64 beyond 2^53', async () => {
    const body = {
      resource_spans: [
        {
          resource: { attributes: [{ key: 'service.instance.id', value: { string_value: 'snake' } }] },
          scope_spans: [
            {
              spans: [
                {
                  trace_id: '0AF7651916CD43DD8448EB211C80319C',
                  span_id: 'B7AD6B7169203331',
                  name: 'lenient',
                  kind: 'SPAN_KIND_CLIENT',
                  start_time_unix_nano: 1700000000000000000,
                  end_time_unix_nano: '1700000000500000000',
                  attributes: [
                    { key: 'big', value: { intValue: '9223372036854775807' } },
                    { key: 'nested', value: { kvlistValue: { values: [{ key: 'x', value: { doubleValue: 'NaN' } }] } } },
                    { key: 'empty', value: {} },
                  ],
                  status: { code: 'STATUS_CODE_OK' },
                },
              ],
            },
          ],
        },
      ],
    };
    const answer = await postJson(receiver().tracesUrl, JSON.stringify(body));
    expect(answer.status).toBe(200);
    expect(receiver().spans()[0]).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      kind: 'client',
      startTimeUnixNano: '1700000000000000000',
      durationMs: 500,
      attributes: { big: '9223372036854775807', nested: { x: NaN }, empty: null },
      resource: { 'service.instance.id': 'snake' },
      scopeName: '',
      scopeVersion: undefined,
      status: { code: 'ok' },
    });
  });

  it('accepts an empty request (no resourceSpans) in both formats', async () => {
    expect((await postJson(receiver().tracesUrl, '{}')).status).toBe(200);
    expect((await postProtobuf(receiver().tracesUrl, new Uint8Array())).status).toBe(200);
    expect(receiver().count()).toBe(0);
    expect(receiver().stats().acceptedRequests).toBe(2);
  });
});
