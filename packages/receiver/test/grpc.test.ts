// OTLP/gRPC: TraceService/Export on the receiver's gRPC port, with the official gRPC exporter and a
// grpc-js client on raw bytes (what an exporter sends, and what a broken one might), over real
// HTTP/2 on 127.0.0.1. The limits and the faults of the HTTP side apply, as gRPC status codes.
import { connect, constants } from 'node:http2';
import { credentials, Client, Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { ReceiverOptionError, type Receiver } from '../src';
import { resolveReceiverOptions } from '../src/options';
import { simpleSpans, sleep, toProtobuf, useReceiver } from './helpers';

const PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const bytes = (value: Buffer): Buffer => value;

/** One Export call with a raw message; resolves with the status it ended with. */
function call(receiver: Receiver, message: Uint8Array, options: { gzip?: boolean; deadlineMs?: number; metadata?: Record<string, string> } = {}) {
  const client = new Client(`127.0.0.1:${receiver.grpcPort}`, credentials.createInsecure(), options.gzip ? { 'grpc.default_compression_algorithm': 2 } : {});
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value);
  return new Promise<{ code: number; details: string; response?: Buffer }>((resolve) => {
    client.makeUnaryRequest(PATH, bytes, bytes, Buffer.from(message), metadata, { deadline: Date.now() + (options.deadlineMs ?? 10_000) }, (error?: ServiceError | null, response?: Buffer) => {
      client.close();
      resolve(error ? { code: error.code, details: error.details } : { code: Status.OK, details: '', response });
    });
  });
}

/** Exports `spans` once with the official gRPC exporter; resolves with the export result. */
function exportWithOfficial(url: string, count: number, options: { gzip?: boolean; timeoutMillis?: number } = {}) {
  return simpleSpans(count, { 'service.name': 'grpc-shop', 'service.instance.id': 'g0', 'process.pid': 4242 }).then(
    (spans) =>
      new Promise<{ code: number; error?: Error }>((resolve) => {
        const exporter = new OTLPTraceExporter({ url, compression: (options.gzip ? 'gzip' : 'none') as never, timeoutMillis: options.timeoutMillis ?? 5_000 });
        exporter.export(spans, (result) => {
          void exporter.shutdown();
          resolve(result);
        });
      }),
  );
}

describe('OTLP/gRPC on the receiver', () => {
  const receiver = useReceiver({ maxBodyBytes: 64 * 1024, bodyTimeoutMs: 1_000, headersTimeoutMs: 1_000 });
  afterEach(() => receiver().setFault(undefined));

  it('listens on a port of its own (a free one beside port 0) and names it in grpcUrl', () => {
    expect(receiver().grpcPort).toBeGreaterThan(0);
    expect(receiver().grpcPort).not.toBe(receiver().port);
    expect(receiver().grpcUrl).toBe(`http://127.0.0.1:${receiver().grpcPort}`);
  });

  it('takes spans from the official gRPC exporter, plain and gzip, and records each call', async () => {
    expect(await exportWithOfficial(receiver().grpcUrl, 3)).toEqual({ code: 0 });
    expect(await exportWithOfficial(receiver().grpcUrl, 2, { gzip: true })).toEqual({ code: 0 });
    expect(receiver().count()).toBe(5);
    expect(receiver().byInstance()).toMatchObject([{ instanceId: 'g0', serviceName: 'grpc-shop', pid: 4242, spans: 5 }]);
    const [plain, gzipped] = receiver().recentRequests();
    expect(plain).toMatchObject({ method: 'POST', url: PATH, status: 200, grpcStatus: 0, spans: 3 });
    expect(plain?.headers['grpc-encoding']).toBeUndefined();
    expect(gzipped).toMatchObject({ url: PATH, grpcStatus: 0, spans: 2, headers: { 'grpc-encoding': 'gzip' } });
    expect(receiver().stats()).toMatchObject({ requests: 2, acceptedRequests: 2, rejectedRequests: 0, spansReceived: 5 });
  });

  it('passes metadata through as headers', async () => {
    const spans = await simpleSpans(1, { 'service.name': 's' });
    expect(await call(receiver(), toProtobuf(spans), { metadata: { 'x-team': 'checkout' } })).toMatchObject({ code: Status.OK });
    expect(receiver().lastHeaders()).toMatchObject({ 'x-team': 'checkout' });
  });

  it('answers INVALID_ARGUMENT to a message that is not an ExportTraceServiceRequest', async () => {
    const answer = await call(receiver(), Buffer.from([0x0a, 0xff, 0xff, 0xff]));
    expect(answer.code).toBe(Status.INVALID_ARGUMENT);
    expect(answer.details).toMatch(/not a valid protobuf ExportTraceServiceRequest/);
    expect(receiver().stats()).toMatchObject({ requests: 1, acceptedRequests: 0, rejectedRequests: 1 });
  });

  it('answers RESOURCE_EXHAUSTED to a message over maxBodyBytes, as sent and once gunzipped', async () => {
    const big = Buffer.alloc(100 * 1024, 0x41);
    const plain = await call(receiver(), big);
    expect(plain.code).toBe(Status.RESOURCE_EXHAUSTED);
    // 100 KiB of one byte gzips to far below the limit: the limit holds on what it decompresses to.
    const zipped = await call(receiver(), big, { gzip: true });
    expect(zipped).toMatchObject({ code: Status.RESOURCE_EXHAUSTED, details: expect.stringMatching(/decompresses to a size larger than 65536/) });
    expect(receiver().count()).toBe(0);
    expect(receiver().recentRequests().map((r) => r.grpcStatus)).toEqual([Status.RESOURCE_EXHAUSTED, Status.RESOURCE_EXHAUSTED]);
  });

  it('ends a call whose message does not come within bodyTimeoutMs with DEADLINE_EXCEEDED', async () => {
    const session = connect(receiver().grpcUrl);
    try {
      const stream = session.request({
        [constants.HTTP2_HEADER_METHOD]: 'POST',
        [constants.HTTP2_HEADER_PATH]: PATH,
        'content-type': 'application/grpc',
        te: 'trailers',
      });
      stream.write(Buffer.from([0, 0, 0, 0, 100])); // a 100-byte message announced, never sent
      const started = Date.now();
      const trailers = await new Promise<Record<string, unknown>>((resolve, reject) => {
        stream.on('trailers', resolve);
        stream.on('response', (headers) => {
          if (headers['grpc-status'] !== undefined) resolve(headers);
        });
        stream.on('error', reject);
        setTimeout(() => reject(new Error('no status within 8 s')), 8_000).unref();
      });
      expect(Number(trailers['grpc-status'])).toBe(Status.DEADLINE_EXCEEDED);
      expect(decodeURIComponent(String(trailers['grpc-message']))).toMatch(/the request message did not arrive within 1000 ms/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      stream.close();
    } finally {
      session.destroy();
    }
  });

  it('closes a connection that makes no call within headersTimeoutMs (GOAWAY), as HTTP closes one that sends no headers', async () => {
    const session = connect(receiver().grpcUrl);
    try {
      const started = Date.now();
      await new Promise<void>((resolve, reject) => {
        session.once('goaway', () => resolve());
        session.once('close', () => resolve());
        session.once('error', reject);
        setTimeout(() => reject(new Error('the idle connection was still open after 8 s')), 8_000).unref();
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(receiver().stats().requests).toBe(0);
    } finally {
      session.destroy();
    }
  });

  describe('faults, mapped to the gRPC status a collector answers', () => {
    it.each([
      [503, Status.UNAVAILABLE],
      [429, Status.RESOURCE_EXHAUSTED],
      [400, Status.INVALID_ARGUMENT],
      [401, Status.UNAUTHENTICATED],
      [500, Status.INTERNAL],
    ])('status %i → gRPC code %i, no span kept', async (httpStatus, code) => {
      receiver().setFault({ status: httpStatus, times: 1 });
      const spans = await simpleSpans(1, { 'service.name': 's' });
      const answer = await call(receiver(), toProtobuf(spans));
      expect(answer).toEqual({ code, details: `fault injected by the receiver: status ${httpStatus}` });
      expect(receiver().count()).toBe(0);
      expect(receiver().fault()).toBeUndefined(); // `times` counted the gRPC call
    });

    it('delayMs delays the answer; a client whose deadline passes first gets DEADLINE_EXCEEDED, recorded so by the receiver', async () => {
      const spans = await simpleSpans(1, { 'service.name': 's' });
      receiver().setFault({ delayMs: 600 });
      const started = Date.now();
      expect(await call(receiver(), toProtobuf(spans))).toMatchObject({ code: Status.OK });
      expect(Date.now() - started).toBeGreaterThanOrEqual(550);
      receiver().setFault({ delayMs: 3_000 });
      expect(await call(receiver(), toProtobuf(spans), { deadlineMs: 300 })).toMatchObject({ code: Status.DEADLINE_EXCEEDED });
      await sleep(100);
      // grpc-js ends the call at the deadline the client sent (grpc-timeout); the delayed answer is dropped.
      expect(receiver().recentRequests().at(-1)).toMatchObject({ grpcStatus: Status.DEADLINE_EXCEEDED, spans: 0 });
      expect(receiver().count()).toBe(1);
    });

    it('garbage answers bytes that are no ExportTraceServiceResponse (spans kept); reset answers UNAVAILABLE (spans not kept)', async () => {
      const spans = await simpleSpans(2, { 'service.name': 's' });
      receiver().setFault({ garbage: true, times: 1 });
      const garbled = await call(receiver(), toProtobuf(spans));
      expect(garbled).toMatchObject({ code: Status.OK, response: Buffer.from([0x0f, 0xff, 0xff]) });
      expect(receiver().count()).toBe(2);
      // The official gRPC exporter does not parse the answer of a call that succeeded: garbage passes.
      receiver().setFault({ garbage: true, times: 1 });
      expect((await exportWithOfficial(receiver().grpcUrl, 1)).code).toBe(0);
      receiver().setFault({ reset: true, times: 1 });
      expect(await call(receiver(), toProtobuf(spans))).toEqual({ code: Status.UNAVAILABLE, details: 'connection reset by the reset fault' });
      expect(receiver().count()).toBe(3);
    });
  });
});

describe('the grpcPort option', () => {
  it('is 4317 beside the default port 4318, a free port beside any other, and never the HTTP port', () => {
    expect(resolveReceiverOptions({}).grpcPort).toBe(4317);
    expect(resolveReceiverOptions({ port: 0 }).grpcPort).toBe(0);
    expect(resolveReceiverOptions({ port: 5000 }).grpcPort).toBe(0);
    expect(resolveReceiverOptions({ port: 0, grpcPort: 5001 }).grpcPort).toBe(5001);
    expect(() => resolveReceiverOptions({ port: 5000, grpcPort: 5000 })).toThrow(ReceiverOptionError);
    expect(() => resolveReceiverOptions({ port: 5000, grpcPort: 5000 })).toThrow(/grpcPort: must differ from port \(5000\)/);
    expect(() => resolveReceiverOptions({ grpcPort: -1 })).toThrow(/grpcPort: expected an integer from 0 to 65535, got -1/);
  });
});
