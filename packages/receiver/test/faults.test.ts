import { ReceiverOptionError, startReceiver } from '../src';
import { RpcStatusType } from '../src/otlp/proto-schema';
import { postJson, postProtobuf, send, simpleSpans, sleep, toJson, toProtobuf, useReceiver, useReceivers } from './helpers';

describe('fault injection: a slow or failing collector on demand', () => {
  const receiver = useReceiver();
  const startOwn = useReceivers();
  let body: Buffer;

  beforeAll(async () => {
    body = toJson(await simpleSpans(2, { 'service.instance.id': 'faulty' }));
  });
  afterEach(() => receiver().setFault(undefined));

  it.each([500, 503, 400, 413, 429])('answers %i and keeps none of the spans', async (status) => {
    receiver().setFault({ status });
    const answer = await postJson(receiver().tracesUrl, body);
    expect(answer.status).toBe(status);
    expect(JSON.parse(answer.body.toString())).toMatchObject({ message: `fault injected by the receiver: status ${status}` });
    expect(receiver().count()).toBe(0);
    expect(receiver().requests()).toBe(1);
    expect(receiver().stats()).toMatchObject({ acceptedRequests: 0, rejectedRequests: 1 });
  });

  it('answers in protobuf to a protobuf request, with Retry-After when asked', async () => {
    receiver().setFault({ status: 503, retryAfterSeconds: 2 });
    const answer = await postProtobuf(receiver().tracesUrl, toProtobuf(await simpleSpans(1, {})));
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('2');
    expect(RpcStatusType.toObject(RpcStatusType.decode(answer.body))).toEqual({ code: 14, message: 'fault injected by the receiver: status 503' });
  });

  it('fails only the next `times` requests, then recovers', async () => {
    receiver().setFault({ status: 503, times: 2 });
    expect(receiver().fault()).toEqual({ status: 503, times: 2 });
    expect((await postJson(receiver().tracesUrl, body)).status).toBe(503);
    expect(receiver().fault()).toEqual({ status: 503, times: 1 });
    expect((await postJson(receiver().tracesUrl, body)).status).toBe(503);
    expect(receiver().fault()).toBeUndefined();
    expect((await postJson(receiver().tracesUrl, body)).status).toBe(200);
    expect(receiver().count()).toBe(2);
  });

  it('delays each answer, keeping the spans', async () => {
    receiver().setFault({ delayMs: 300 });
    const started = Date.now();
    const answer = await postJson(receiver().tracesUrl, body);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(answer.status).toBe(200);
    expect(receiver().count()).toBe(2);
  });

  it('answers 200 with garbage instead of an ExportTraceServiceResponse', async () => {
    receiver().setFault({ garbage: true });
    const json = await postJson(receiver().tracesUrl, body);
    expect(json.status).toBe(200);
    expect(() => JSON.parse(json.body.toString())).toThrow();
    const proto = await postProtobuf(receiver().tracesUrl, toProtobuf(await simpleSpans(1, {})));
    expect(proto.status).toBe(200);
    expect(() => RpcStatusType.decode(proto.body)).toThrow();
    expect(receiver().count()).toBe(3);
  });

  it('drops the connection without an answer', async () => {
    receiver().setFault({ reset: true, times: 1 });
    await expect(postJson(receiver().tracesUrl, body)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(receiver().count()).toBe(0);
    expect(receiver().recentRequests()[0]).toMatchObject({ status: 0, error: 'connection reset by the reset fault' });
    expect((await postJson(receiver().tracesUrl, body)).status).toBe(200);
  });

  it('takes a fault at start, and rejects a bad one', async () => {
    const failing = await startOwn({ fault: { status: 500 } });
    expect((await postJson(failing.tracesUrl, body)).status).toBe(500);
    expect(() => receiver().setFault({ status: 200 })).toThrow(new ReceiverOptionError('fault.status', 'expected an integer from 400 to 599, got 200'));
    expect(() => receiver().setFault({ stauts: 500 } as never)).toThrow(/unknown option; allowed: fault\.status/);
    expect(() => receiver().setFault({ delayMs: -1 })).toThrow(ReceiverOptionError);
  });

  it('close() does not wait for a delayed answer', async () => {
    const slow = await startReceiver({ port: 0, fault: { delayMs: 30_000 } });
    const pending = send(slow.tracesUrl, { body, headers: { 'content-type': 'application/json' } }).catch((e: unknown) => e);
    await sleep(100);
    const started = Date.now();
    await slow.close();
    expect(Date.now() - started).toBeLessThan(500);
    expect(await pending).toMatchObject({ message: expect.stringMatching(/socket hang up|ECONNRESET/) });
  });
});
