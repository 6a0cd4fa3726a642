import type { sendUnaryData, ServerUnaryCall, ServiceDefinition } from '@grpc/grpc-js';
import { HttpError } from '../errors/http-error';
import { decodeProtobufMetrics } from '../metrics/decode-metrics';
import type { MetricStore } from '../metrics/metric-store';
import { grpcCodeForHttpStatus } from '../otlp/grpc-status';
import { rawExportService } from './raw-service';

/** The OTLP metrics method a gRPC exporter calls. */
export const METRICS_EXPORT_PATH = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';

/** `opentelemetry.proto.collector.metrics.v1.MetricsService` on raw bytes (decoded as POST /v1/metrics in protobuf is), for `addService`. */
export const METRICS_SERVICE: ServiceDefinition = rawExportService(METRICS_EXPORT_PATH);

/**
 * Answers one metrics Export call as POST /v1/metrics does: decodes and keeps the points, or answers
 * the gRPC status of the HTTP error (INVALID_ARGUMENT for a body that is not a metrics request).
 * Like POST /v1/metrics, the call is not counted with the trace requests nor logged (grpc-server.ts).
 */
export function handleMetricsExport(call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>, metrics: MetricStore, maxDecodedBytes: number): void {
  let points;
  try {
    points = decodeProtobufMetrics(call.request, maxDecodedBytes);
  } catch (error) {
    const status = error instanceof HttpError ? error.status : 400;
    callback({ code: grpcCodeForHttpStatus(status), details: `cannot decode the metrics request: ${error instanceof Error ? error.message : String(error)}` });
    return;
  }
  metrics.add(points);
  callback(null, Buffer.alloc(0));
}
