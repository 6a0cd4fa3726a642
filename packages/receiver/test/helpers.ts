// Shared by the receiver's tests: real HTTP on 127.0.0.1, spans made by the real OpenTelemetry SDK,
// and raw sockets for clients that misbehave.
import { context, trace, type Span, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { receiverFixtures } from '../../../test-utils/receiver-fixture';
import { startReceiver } from '../src';

export { sleep } from '../../../test-utils/time';

/** An HTTP answer, body read in full. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Sends one request (a fresh connection each time) and reads the whole answer; rejects after `timeoutMs`. */
export function send(
  url: string,
  options: { method?: string; headers?: Record<string, string | number>; body?: Buffer | string; timeoutMs?: number } = {},
): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'POST', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error(`no answer from ${url} within ${options.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** POSTs an OTLP/JSON body. */
export function postJson(url: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<Answer> {
  return send(url, { body, headers: { 'content-type': 'application/json', ...headers } });
}

/** POSTs an OTLP/protobuf body. */
export function postProtobuf(url: string, body: Uint8Array, headers: Record<string, string> = {}): Promise<Answer> {
  return send(url, { body: Buffer.from(body), headers: { 'content-type': 'application/x-protobuf', ...headers } });
}

/** Runs `build` with a tracer of a real SDK provider whose resource has `resource`, and returns the ended spans. */
export async function makeSpans(resource: Record<string, string | number>, build: (tracer: Tracer) => void): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource: resourceFromAttributes(resource), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  build(provider.getTracer('receiver-test', '1.0.0'));
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

/** Starts a child span of `parent` (no context manager needed). */
export function childOf(tracer: Tracer, parent: Span, name: string): Span {
  return tracer.startSpan(name, {}, trace.setSpan(context.active(), parent));
}

/** `n` root spans named `span-0`.. from one instance. */
export function simpleSpans(n: number, resource: Record<string, string | number>): Promise<ReadableSpan[]> {
  return makeSpans(resource, (tracer) => {
    for (let i = 0; i < n; i++) tracer.startSpan(`span-${i}`).end();
  });
}

/** The OTLP/JSON request the SDK's own serializer makes of `spans`. */
export function toJson(spans: ReadableSpan[]): Buffer {
  return Buffer.from(JsonTraceSerializer.serializeRequest(spans) ?? new Uint8Array());
}

/** The OTLP/protobuf request the SDK's own serializer makes of `spans`. */
export function toProtobuf(spans: ReadableSpan[]): Uint8Array {
  return ProtobufTraceSerializer.serializeRequest(spans) ?? new Uint8Array();
}

/** A raw TCP connection, with everything it received and when it was closed. */
export interface RawClient {
  socket: Socket;
  received(): string;
  closed: Promise<number>;
}

/** Opens a raw socket to `url`'s host and port; `closed` resolves with the time (ms since connect) it closed. */
export function rawConnect(url: string): Promise<RawClient> {
  const { hostname, port } = new URL(url);
  return new Promise<RawClient>((resolve, reject) => {
    const started = Date.now();
    let data = '';
    const socket = connect(Number(port), hostname);
    const closed = new Promise<number>((done) => socket.once('close', () => done(Date.now() - started)));
    socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
    socket.on('error', () => undefined); // a reset by the server is what some tests expect
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

/** Writes `text` one byte every `everyMs` until the socket closes; returns a stop function. */
export function trickle(socket: Socket, text: string, everyMs: number): () => void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || socket.writableEnded) return clearInterval(timer);
    socket.write(text[i % text.length] ?? 'x');
    i += 1;
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
  return () => clearInterval(timer);
}

/** The receiver fixture (test-utils/receiver-fixture.ts) over this package's sources: its tests test those. */
export const { useReceiver, useReceivers } = receiverFixtures(startReceiver);
