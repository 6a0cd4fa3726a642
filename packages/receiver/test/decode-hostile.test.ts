// Hostile bodies against the decoders themselves (issue 21, item 11): broken, huge counts of empty
// items, deep nesting, in protobuf and JSON. Each is refused with a line that says what was wrong,
// or decoded as protobuf means it; none costs more than maxDecodedBytes.
import { HttpError } from '../src/errors/http-error';
import { resolveReceiverOptions } from '../src/options';
import { decodeJsonMetrics, decodeProtobufMetrics } from '../src/metrics/decode-metrics';
import { decodeJsonTraces } from '../src/otlp/decode-json';
import { decodeProtobufTraces } from '../src/otlp/decode-protobuf';
import { simpleSpans, toJson, toProtobuf } from './helpers';

const MiB = 1024 * 1024;
const LIMIT = 8 * MiB;

function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 0x7f) {
    bytes.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  bytes.push(n);
  return Buffer.from(bytes);
}
/** Field `field` (wire type 2) holding `payload`. */
const msg = (field: number, payload: Buffer): Buffer => Buffer.concat([Buffer.from([(field << 3) | 2]), varint(payload.length), payload]);
const repeat = (pattern: number[], times: number): Buffer => Buffer.alloc(pattern.length * times, Buffer.from(pattern));
/** One ResourceSpans with one ScopeSpans holding `spans`. */
const inScope = (spans: Buffer): Buffer => msg(1, msg(2, spans));

async function refusal(decoding: Promise<unknown> | (() => unknown)): Promise<HttpError> {
  try {
    await (typeof decoding === 'function' ? decoding() : decoding);
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected the body to be refused');
}

describe('protobuf traces: huge counts of empty items are refused before they are decoded', () => {
  it.each([
    ['empty ResourceSpans', repeat([0x0a, 0x00], 1_000_000), /counted before it stopped: [\d,]+ ResourceSpans/],
    ['empty spans', inScope(repeat([0x12, 0x00], 1_000_000)), /Span/],
    ['empty events of one span', inScope(msg(2, repeat([0x5a, 0x00], 1_000_000))), /Event/],
    ['empty attributes of one span', inScope(msg(2, repeat([0x4a, 0x00], 1_000_000))), /KeyValue/],
    ['empty values of one array attribute', inScope(msg(2, msg(9, msg(2, msg(5, repeat([0x0a, 0x00], 1_000_000)))))), /AnyValue/],
  ])('%s: 413 naming the limit and what the body held', async (_what, body, held) => {
    const error = await refusal(decodeProtobufTraces(body, LIMIT));
    expect(error.status).toBe(413);
    expect(error.message).toMatch(/would take more than maxDecodedBytes \(8388608 bytes, 8\.0 MiB\)/);
    expect(error.message).toMatch(held);
  });

  it('takes the same bodies when they are small', async () => {
    expect(await decodeProtobufTraces(repeat([0x0a, 0x00], 1_000), LIMIT)).toEqual([]);
    const spans = await decodeProtobufTraces(inScope(repeat([0x12, 0x00], 1_000)), LIMIT);
    expect(spans).toHaveLength(1_000);
    expect(spans[0]).toMatchObject({ traceId: '', name: '', kind: 'unspecified', startTimeUnixNano: '0', attributes: {}, events: [] });
  });
});

describe('the default maxDecodedBytes fits real spans', () => {
  it('a body as large as maxBodyBytes of the densest real spans (no attributes, no events) decodes, in protobuf and JSON', async () => {
    const { maxBodyBytes, maxDecodedBytes } = resolveReceiverOptions({ maxBodyBytes: 256 * 1024 });
    expect(maxDecodedBytes).toBe(10 * maxBodyBytes);
    const spans = await simpleSpans(3_300, { 'service.name': 'dense' });
    const pb = Buffer.from(toProtobuf(spans));
    const json = toJson(spans.slice(0, 800));
    expect(pb.length).toBeGreaterThan(0.9 * maxBodyBytes);
    expect(pb.length).toBeLessThanOrEqual(maxBodyBytes);
    expect(json.length).toBeGreaterThan(0.9 * maxBodyBytes);
    expect(json.length).toBeLessThanOrEqual(maxBodyBytes);
    expect(await decodeProtobufTraces(pb, maxDecodedBytes)).toHaveLength(3_300);
    expect(await decodeJsonTraces(json, maxDecodedBytes)).toHaveLength(800);
  });
});

describe('protobuf traces: broken bodies get a 400 that says where', () => {
  it.each([
    ['a length past the end', Buffer.from([0x0a, 0x05, 0x12, 0x00]), /field 1 says 5 bytes but only 2 are left; is it truncated\? \(at byte 0\)/],
    ['a varint cut off', Buffer.from([0x0a, 0x02, 0x12, 0x80]), /field 2 says 128|varint runs past the end/],
    ['a group (wire type 3)', Buffer.from([0x0b, 0x0c]), /wire type 3 \(a group, which OTLP does not use\)/],
    ['wire type 7', Buffer.from([0x0f]), /wire type 7, which does not exist/],
    ['field number 0', Buffer.from([0x02, 0x00]), /field number 0/],
    ['a message field sent as a varint', Buffer.from([0x08, 0x01]), /field 1 \(resourceSpans\) has wire type 0, expected 2 \(a message\)/],
    ['a span field sent as a fixed32', inScope(Buffer.from([0x15, 0, 0, 0, 0])), /ScopeSpans: field 2 \(spans\) has wire type 5/],
  ])('%s', async (_what, body, message) => {
    const error = await refusal(decodeProtobufTraces(body, LIMIT));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^body is not a valid protobuf /);
    expect(error.message).toMatch(message);
  });

  it('array values nested deeper than 100 levels', async () => {
    let value: Buffer = Buffer.alloc(0);
    for (let i = 0; i < 120; i++) value = msg(5, msg(1, value)); // AnyValue.arrayValue -> ArrayValue.values -> AnyValue ...
    const error = await refusal(decodeProtobufTraces(inScope(msg(2, msg(9, msg(2, value)))), LIMIT));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/nested deeper than 100 levels/);
  });
});

describe('protobuf traces: the one-span-at-a-time decoder reads real OTLP as before', () => {
  it('spans of the SDK, in several ResourceSpans, with the resource after the scopes on the wire', async () => {
    const a = await simpleSpans(3, { 'service.name': 'a', 'service.instance.id': 'a-1' });
    const b = await simpleSpans(2, { 'service.name': 'b' });
    const body = Buffer.concat([toProtobuf(a), toProtobuf(b)]); // two requests joined: their ResourceSpans, one after the other
    const spans = await decodeProtobufTraces(body, LIMIT);
    expect(spans.map((s) => [s.resource['service.name'], s.name, s.scopeName])).toEqual([
      ['a', 'span-0', 'receiver-test'], ['a', 'span-1', 'receiver-test'], ['a', 'span-2', 'receiver-test'],
      ['b', 'span-0', 'receiver-test'], ['b', 'span-1', 'receiver-test'],
    ]);
    // Resource (field 1) after ScopeSpans (field 2), and the last of two resources wins, as protobufjs decodes it.
    const kv = msg(1, Buffer.concat([msg(1, Buffer.from('service.name')), msg(2, msg(1, Buffer.from('late')))]));
    const reordered = msg(1, Buffer.concat([msg(2, msg(2, Buffer.from([0x2a, 0x01, 0x78]))), msg(1, Buffer.alloc(0)), msg(1, kv)]));
    expect(await decodeProtobufTraces(reordered, LIMIT)).toMatchObject([{ name: 'x', resource: { 'service.name': 'late' } }]);
  });
});

describe('JSON traces: huge counts refused, deep nesting and broken text named', () => {
  it.each([
    ['empty ResourceSpans', `{"resourceSpans":[${'{},'.repeat(1_000_000)}{}]}`, /JSON objects and arrays/],
    ['empty spans', `{"resourceSpans":[{"scopeSpans":[{"spans":[${'{},'.repeat(200_000)}{}]}]}]}`, /spans/],
    ['empty events', `{"resourceSpans":[{"scopeSpans":[{"spans":[{"events":[${'{},'.repeat(500_000)}{}]}]}]}]}`, /JSON objects and arrays|events and links/],
  ])('%s: 413 naming the limit', async (_what, text, held) => {
    const error = await refusal(decodeJsonTraces(Buffer.from(text), LIMIT));
    expect(error.status).toBe(413);
    expect(error.message).toMatch(/would take more than maxDecodedBytes \(8388608 bytes/);
    expect(error.message).toMatch(held);
  });

  it('brackets inside strings are not counted', async () => {
    const spans = await simpleSpans(1, { 'service.name': '{[{[,:,:]}]}'.repeat(20_000) });
    expect(await decodeJsonTraces(toJson(spans), LIMIT)).toHaveLength(1);
  });

  it('an attribute value nested deeper than 64 levels, and text that is not JSON', async () => {
    const deep = `{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":${'{"arrayValue":{"values":['.repeat(70)}${']}}'.repeat(70)}}]}}]}`;
    expect((await refusal(decodeJsonTraces(Buffer.from(deep), LIMIT))).message).toMatch(/nested deeper than 64 levels/);
    expect((await refusal(decodeJsonTraces(Buffer.from('{"resourceSpans":[{'), LIMIT))).message).toMatch(/^body is not valid JSON/);
  });
});

describe('metrics: the same bound', () => {
  it('protobuf and JSON bodies of empty ResourceMetrics get a 413', async () => {
    expect((await refusal(() => decodeProtobufMetrics(repeat([0x0a, 0x00], 1_000_000), LIMIT))).message).toMatch(/ResourceMetrics/);
    expect((await refusal(() => decodeJsonMetrics(Buffer.from(`{"resourceMetrics":[${'{},'.repeat(1_000_000)}{}]}`), LIMIT))).status).toBe(413);
    expect(decodeProtobufMetrics(repeat([0x0a, 0x00], 100), LIMIT)).toEqual([]);
  });
});
