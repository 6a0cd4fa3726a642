import type { Metadata, sendUnaryData, ServerUnaryCall, ServiceDefinition } from '@grpc/grpc-js';
import { setTimeout as delay } from 'node:timers/promises';
import { HttpError } from '../errors/http-error';
import type { TraceHandlerContext } from '../http/trace-handler';
import { decodeProtobufTraces } from '../otlp/decode-protobuf';
import { grpcCodeForHttpStatus } from '../otlp/grpc-status';
import type { RequestRecord } from '../types/receiver-stats';
import { rawExportService } from './raw-service';

/** The OTLP trace method a gRPC exporter calls. */
export const TRACE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** `opentelemetry.proto.collector.trace.v1.TraceService` on raw bytes, for `@grpc/grpc-js`' `addService` (a TLS server of a test's own, say). */
export const TRACE_SERVICE: ServiceDefinition = rawExportService(TRACE_EXPORT_PATH);

const OK_RESPONSE = Buffer.alloc(0);
/** Not a protobuf message (field 1 with wire type 7, which does not exist): the client cannot parse it. */
const GARBAGE_RESPONSE = Buffer.from([0x0f, 0xff, 0xff]);
const UNAVAILABLE = 14;

/** A gRPC failure with its status code and details. */
interface GrpcFailure {
  code: number;
  details: string;
}

/**
 * Answers one Export call as a collector does: plays the fault in force (a delay, an error status
 * mapped to its gRPC code, garbage), decodes and keeps the spans. Never throws: every failure is a
 * gRPC status. The request's record (made by the interceptor, see grpc-server.ts) gets its span count.
 */
export async function handleExport(
  call: ServerUnaryCall<Buffer, Buffer>,
  callback: sendUnaryData<Buffer>,
  ctx: TraceHandlerContext,
  recordOf: (metadata: Metadata) => RequestRecord | undefined,
): Promise<void> {
  const record = recordOf(call.metadata);
  const cancelled = new AbortController();
  call.once('cancelled', () => cancelled.abort());
  try {
    const fault = ctx.faults.take();
    if (fault?.delayMs) await delay(fault.delayMs, undefined, { signal: AbortSignal.any([ctx.signal, cancelled.signal]) });
    if (fault?.reset) {
      // grpc-js gives a handler no way to drop the connection: UNAVAILABLE is what the exporter sees
      // of a collector that went away, and it retries it the same way.
      throw { code: UNAVAILABLE, details: 'connection reset by the reset fault' } satisfies GrpcFailure;
    }
    if (fault?.status !== undefined) {
      throw { code: grpcCodeForHttpStatus(fault.status), details: `fault injected by the receiver: status ${fault.status}` } satisfies GrpcFailure;
    }
    const spans = await decode(call.request, ctx.limits.maxDecodedBytes);
    ctx.store.add(spans);
    if (record) record.spans = spans.length;
    callback(null, fault?.garbage ? GARBAGE_RESPONSE : OK_RESPONSE);
  } catch (error) {
    if (ctx.signal.aborted || cancelled.signal.aborted) return; // close() or the client gave up: nobody to answer.
    const failure = isFailure(error) ? error : { code: 13, details: `internal error: ${describe(error)}` };
    callback({ code: failure.code, details: failure.details });
  }
}

async function decode(body: Buffer, maxDecodedBytes: number): ReturnType<typeof decodeProtobufTraces> {
  try {
    return await decodeProtobufTraces(body, maxDecodedBytes);
  } catch (error) {
    const status = error instanceof HttpError ? error.status : 400;
    throw { code: grpcCodeForHttpStatus(status), details: describe(error) } satisfies GrpcFailure;
  }
}

function isFailure(value: unknown): value is GrpcFailure {
  return typeof value === 'object' && value !== null && typeof (value as GrpcFailure).code === 'number' && typeof (value as GrpcFailure).details === 'string';
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
