import { gzipSync } from 'node:zlib';
import { RpcStatusType } from '../src/otlp/proto-schema';
import { postJson, postProtobuf, rawConnect, send, simpleSpans, toJson, toProtobuf, useReceiver } from './helpers';

function errorMessage(body: Buffer): string {
  return (JSON.parse(body.toString()) as { message: string }).message;
}

describe('bad input gets a clear 4xx and never stops the receiver', () => {
  const receiver = useReceiver();
  let goodJson: Buffer;
  let goodProtobuf: Uint8Array;

  beforeAll(async () => {
    const spans = await simpleSpans(3, { 'service.instance.id': 'bad-input' });
    goodJson = toJson(spans);
    goodProtobuf = toProtobuf(spans);
  });
  afterEach(async () => {
    // After every bad request, a good one still gets through.
    receiver().reset();
    expect((await postJson(receiver().tracesUrl, goodJson)).status).toBe(200);
    expect(receiver().count()).toBe(3);
    receiver().reset();
  });

  it('answers 400 to malformed JSON, saying so', async () => {
    const answer = await postJson(receiver().tracesUrl, '{"resourceSpans": [');
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(errorMessage(answer.body)).toMatch(/^body is not valid JSON: /);
    expect(JSON.parse(answer.body.toString())).toMatchObject({ code: 3 });
  });

  it('answers 400 to JSON that is not OTLP, naming the field', async () => {
    const cases: [string, RegExp][] = [
      ['[]', /request body: expected an object/],
      ['{"resourceSpans": {}}', /request\.resourceSpans: expected an array/],
      ['{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "xyz"}]}]}]}', /resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.traceId: expected a hex string/],
      ['{"resourceSpans": [{"scopeSpans": [{"spans": [{"startTimeUnixNano": "soon"}]}]}]}', /startTimeUnixNano: expected nanoseconds/],
      ['{"resourceSpans": [{"scopeSpans": [{"spans": [{"kind": "SPAN_KIND_SIDEWAYS"}]}]}]}', /kind: expected a SpanKind/],
      ['{"resourceSpans": [{"resource": {"attributes": [{"key": "a", "value": {"fooValue": 1}}]}}]}', /unknown AnyValue field "fooValue"/],
    ];
    for (const [body, message] of cases) {
      const answer = await postJson(receiver().tracesUrl, body);
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
      expect(errorMessage(answer.body)).toMatch(message);
    }
    expect(receiver().count()).toBe(0);
  });

  it('answers 400 to a truncated protobuf body, with a google.rpc.Status in protobuf', async () => {
    const answer = await postProtobuf(receiver().tracesUrl, goodProtobuf.subarray(0, goodProtobuf.length - 7));
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('application/x-protobuf');
    const status = RpcStatusType.toObject(RpcStatusType.decode(answer.body)) as { code: number; message: string };
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/not a valid protobuf ExportTraceServiceRequest\b.*truncated/);
    expect(receiver().count()).toBe(0);
  });

  it('answers 400 to bytes that are not protobuf at all', async () => {
    const answer = await postProtobuf(receiver().tracesUrl, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]));
    expect(answer.status).toBe(400);
  });

  it('answers 400 to a body that is not the gzip its Content-Encoding claims', async () => {
    const answer = await postJson(receiver().tracesUrl, goodJson, { 'content-encoding': 'gzip' });
    expect(answer.status).toBe(400);
    expect(errorMessage(answer.body)).toMatch(/not valid gzip data/);
    const truncated = gzipSync(goodJson);
    const cut = await postJson(receiver().tracesUrl, truncated.subarray(0, truncated.length - 10), { 'content-encoding': 'gzip' });
    expect(cut.status).toBe(400);
  });

  it('answers 415 to an unsupported or missing Content-Type, and to an unknown Content-Encoding', async () => {
    const text = await send(receiver().tracesUrl, { body: goodJson, headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect(errorMessage(text.body)).toMatch(/unsupported Content-Type "text\/plain".*application\/json or application\/x-protobuf/);
    const none = await send(receiver().tracesUrl, { body: goodJson });
    expect(none.status).toBe(415);
    const brotli = await postJson(receiver().tracesUrl, goodJson, { 'content-encoding': 'br' });
    expect(brotli.status).toBe(415);
    expect(errorMessage(brotli.body)).toMatch(/Content-Encoding "br"/);
    expect(receiver().requests()).toBe(3);
    expect(receiver().stats().rejectedRequests).toBe(3);
  });

  it('answers 405 to a wrong method on /v1/traces and /v1/metrics, and 404 elsewhere', async () => {
    const get = await send(receiver().tracesUrl, { method: 'GET' });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect((await send(`${receiver().url}/v1/metrics`, { method: 'GET' })).status).toBe(405);
    const logs = await postJson(`${receiver().url}/v1/logs`, '{}');
    expect(logs.status).toBe(404);
    expect(errorMessage(logs.body)).toMatch(/POST \/v1\/traces and metrics at POST \/v1\/metrics/);
    const del = await send(`${receiver().url}/`, { method: 'DELETE' });
    expect(del.status).toBe(405);
  });

  it('answers 400 to absurdly deep attribute values instead of overflowing the stack', async () => {
    let value = '{"stringValue":"x"}';
    for (let i = 0; i < 100_000; i++) value = `{"arrayValue":{"values":[${value}]}}`;
    const json = await postJson(receiver().tracesUrl, `{"resourceSpans":[{"resource":{"attributes":[{"key":"deep","value":${value}}]}}]}`);
    expect(json.status).toBe(400);
    expect(errorMessage(json.body)).toMatch(/nested deeper than 64 levels/);

    // The same in protobuf, written by hand: AnyValue.arrayValue (field 5) > ArrayValue.values (field 1) > ...
    const wrap = (tag: number, inner: Buffer): Buffer => {
      const length: number[] = [];
      let n = inner.length;
      do {
        length.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
        n >>>= 7;
      } while (n > 0);
      return Buffer.concat([Buffer.from([tag, ...length]), inner]);
    };
    let any: Buffer = Buffer.from([0x0a, 0x01, 0x78]);
    for (let i = 0; i < 20_000; i++) any = wrap(0x2a, wrap(0x0a, any));
    const keyValue = Buffer.concat([Buffer.from([0x0a, 0x01, 0x64]), wrap(0x12, any)]);
    const proto = await postProtobuf(receiver().tracesUrl, wrap(0x0a, wrap(0x0a, wrap(0x0a, keyValue))));
    expect(proto.status).toBe(400);
    expect(RpcStatusType.decode(proto.body).toJSON()).toMatchObject({ message: expect.stringMatching(/nested deeper than 100 levels/) });
  });

  it('survives HTTP that is not HTTP', async () => {
    const client = await rawConnect(receiver().url);
    client.socket.write('\x16\x03\x01 this is not http\r\n\r\n');
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 400/);
  });
});
