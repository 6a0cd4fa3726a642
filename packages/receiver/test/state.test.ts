import {
  ReceiverClosedError,
  ReceiverListenError,
  ReceiverOptionError,
  startReceiver,
  WaitForSpansTimeoutError,
} from '../src';
import { postJson, postProtobuf, rawConnect, send, simpleSpans, sleep, toJson, toProtobuf, useReceiver } from './helpers';

const worker = (index: number, pid: number, generation = 0) => ({
  'service.name': 'api',
  'service.instance.id': `api-${index}-${generation}`,
  'process.pid': pid,
  'forkhooks.worker.index': index,
  'forkhooks.worker.generation': generation,
  'forkhooks.worker.runtime': 'cluster',
});

describe('what the receiver keeps and tells', () => {
  const receiver = useReceiver({ keepRequests: 3 });

  it('groups spans per service.instance.id with each instance resource attributes', async () => {
    await postJson(receiver().tracesUrl, toJson(await simpleSpans(3, worker(0, 1001))));
    await postProtobuf(receiver().tracesUrl, toProtobuf(await simpleSpans(2, worker(1, 1002))));
    await postJson(receiver().tracesUrl, toJson(await simpleSpans(1, worker(0, 1003, 1))));
    await postJson(receiver().tracesUrl, toJson(await simpleSpans(1, { 'service.name': 'anonymous' })));

    const instances = receiver().byInstance();
    expect(instances.map((i) => [i.instanceId, i.spans])).toEqual([
      ['api-0-0', 3],
      ['api-1-0', 2],
      ['api-0-1', 1],
      [undefined, 1],
    ]);
    expect(instances[1]).toMatchObject({
      serviceName: 'api',
      pid: 1002,
      workerIndex: 1,
      generation: 0,
      runtime: 'cluster',
      worker: { index: 1, generation: 0, runtime: 'cluster' },
      resource: worker(1, 1002),
    });
    expect(instances[3]).toMatchObject({ serviceName: 'anonymous', pid: undefined, workerIndex: undefined });
    expect(receiver().count()).toBe(7);
    expect(receiver().requests()).toBe(4);
  });

  it('serves a JSON summary per instance on GET / and the latest spans on GET /spans', async () => {
    await postJson(receiver().tracesUrl, toJson(await simpleSpans(4, worker(2, 2002))));
    const summary = await send(`${receiver().url}/`, { method: 'GET' });
    expect(summary.status).toBe(200);
    expect(JSON.parse(summary.body.toString())).toMatchObject({
      tracesUrl: receiver().tracesUrl,
      stats: { requests: 1, spansReceived: 4 },
      instances: [{ instanceId: 'api-2-0', serviceName: 'api', pid: 2002, worker: { index: 2 }, spans: 4 }],
    });
    const spans = await send(`${receiver().url}/spans?limit=2`, { method: 'GET' });
    const document = JSON.parse(spans.body.toString()) as { count: number; spans: { name: string }[] };
    expect(document.count).toBe(4);
    expect(document.spans.map((s) => s.name)).toEqual(['span-2', 'span-3']);
  });

  it('waitForSpans resolves once enough spans arrived, with the kept spans', async () => {
    const waiting = receiver().waitForSpans(5, 5_000);
    await postJson(receiver().tracesUrl, toJson(await simpleSpans(2, worker(0, 1))));
    await sleep(20);
    await postJson(receiver().tracesUrl, toJson(await simpleSpans(3, worker(1, 2))));
    const spans = await waiting;
    expect(spans).toHaveLength(5);
    await expect(receiver().waitForSpans(5, 10)).resolves.toHaveLength(5); // already there
  });

  it('waitForSpans rejects on timeout saying how many arrived and from whom', async () => {
    await postJson(receiver().tracesUrl, toJson(await simpleSpans(2, worker(3, 3003))));
    const started = Date.now();
    const error = (await receiver().waitForSpans(10, 200).catch((e: unknown) => e)) as WaitForSpansTimeoutError;
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(error).toBeInstanceOf(WaitForSpansTimeoutError);
    expect(error.code).toBe('FORKHOOKS_ERR_RECEIVER_WAIT_TIMEOUT');
    expect(error).toMatchObject({ expected: 10, received: 2, timeoutMs: 200 });
    expect(error.message).toBe('waited 200 ms for 10 spans but only 2 arrived (1 trace request; 2 spans: api#3 pid 3003=2)');
  });

  it('keeps the headers of the last few requests (OTEL_EXPORTER_OTLP_HEADERS reach it)', async () => {
    const body = toJson(await simpleSpans(1, worker(0, 1)));
    for (let i = 1; i <= 4; i++) await postJson(receiver().tracesUrl, body, { authorization: `Bearer token-${i}`, 'x-tenant': 'acme' });
    expect(receiver().lastHeaders()).toMatchObject({ authorization: 'Bearer token-4', 'x-tenant': 'acme', 'content-type': 'application/json' });
    const recent = receiver().recentRequests();
    expect(recent.map((r) => r.headers.authorization)).toEqual(['Bearer token-2', 'Bearer token-3', 'Bearer token-4']);
    expect(recent[2]).toMatchObject({ method: 'POST', url: '/v1/traces', status: 200, spans: 1, bodyBytes: body.length, error: undefined });
    expect(receiver().requests()).toBe(4);
  });

  it('reset() forgets spans, counts and requests', async () => {
    await postJson(receiver().tracesUrl, toJson(await simpleSpans(2, worker(0, 1))));
    receiver().reset();
    expect(receiver().count()).toBe(0);
    expect(receiver().spans()).toEqual([]);
    expect(receiver().byInstance()).toEqual([]);
    expect(receiver().requests()).toBe(0);
    expect(receiver().lastHeaders()).toBeUndefined();
    expect(receiver().stats()).toMatchObject({ requests: 0, spansReceived: 0, spansStored: 0, spansDropped: 0 });
  });
});

describe('starting and closing', () => {
  it('rejects bad options with a ReceiverOptionError naming the option', async () => {
    await expect(startReceiver({ port: -1 })).rejects.toThrow(new ReceiverOptionError('port', 'expected an integer from 0 to 65535, got -1'));
    await expect(startReceiver({ maxBodyBytes: 0 })).rejects.toMatchObject({ code: 'FORKHOOKS_ERR_RECEIVER_OPTION', option: 'maxBodyBytes' });
    await expect(startReceiver({ prot: 1 } as never)).rejects.toThrow(/invalid receiver option prot: unknown option; allowed: port, host/);
  });

  it('says clearly when the port is taken', async () => {
    const first = await startReceiver({ port: 0 });
    try {
      const error = await startReceiver({ port: first.port }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReceiverListenError);
      expect((error as Error).message).toBe(`cannot listen on 127.0.0.1:${first.port}: the port is taken (another receiver or collector?); stop it or use port 0 for a free port`);
    } finally {
      await first.close();
    }
  });

  it('close() is prompt with open keep-alive and half-sent connections, rejects waiters, and is idempotent', async () => {
    const receiver = await startReceiver({ port: 0 });
    const idle = await rawConnect(receiver.url);
    const halfSent = await rawConnect(receiver.url);
    halfSent.socket.write('POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
    await sleep(50);
    const waiting = receiver.waitForSpans(1, 60_000);
    const started = Date.now();
    await Promise.all([receiver.close(), receiver.close()]);
    await Promise.all([idle.closed, halfSent.closed]);
    expect(Date.now() - started).toBeLessThan(500);
    await expect(waiting).rejects.toBeInstanceOf(ReceiverClosedError);
    await expect(receiver.waitForSpans(1, 10)).rejects.toThrow('the receiver was closed while waiting for 1 spans');
    await expect(send(receiver.tracesUrl, { method: 'GET', timeoutMs: 1_000 })).rejects.toThrow(/ECONNREFUSED/);
  });
});
