import type { sendUnaryData, ServerUnaryCall, ServiceDefinition } from '@grpc/grpc-js';
import { HttpError } from '../errors/http-error';
import { decodeProtobufMetrics } from '../metrics/decode-metrics';
import type { MetricStore } from '../metrics/metric-store';
import { grpcCodeForHttpStatus } from '../otlp/grpc-status';

/** The OTLP metrics method a gRPC exporter calls. */
export const METRICS_EXPORT_PATH = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';

// As trace-service.ts: messages stay bytes, decoded with the receiver's own schema (what
// POST /v1/metrics in protobuf reads), and the answer is the empty ExportMetricsServiceResponse.
const bytes = (value: Buffer): Buffer => value;

/** `opentelemetry.proto.collector.metrics.v1.MetricsService` on raw bytes, for `@grpc/grpc-js`' `addService`. */
export const METRICS_SERVICE: ServiceDefinition = {
  Export: {
    path: METRICS_EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: bytes,
    requestDeserialize: bytes,
    responseSerialize: bytes,
    responseDeserialize: bytes,
  },
};

/**
 * Answers one metrics Export call as POST /v1/metrics does: decodes and keeps the points, or answers
 * the gRPC status of the HTTP error (INVALID_ARGUMENT for a body that is not a metrics request).
 * Like POST /v1/metrics, the call is not counted with the trace requests nor logged (grpc-server.ts).
 */
export function handleMetricsExport(call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>, metrics: MetricStore): void {
  let points;
  try {
    points = decodeProtobufMetrics(call.request);
  } catch (error) {
    const status = error instanceof HttpError ? error.status : 400;
    callback({ code: grpcCodeForHttpStatus(status), details: `cannot decode the metrics request: ${error instanceof Error ? error.message : String(error)}` });
    return;
  }
  metrics.add(points);
  callback(null, Buffer.alloc(0));
}
