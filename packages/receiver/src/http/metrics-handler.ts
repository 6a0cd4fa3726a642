import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../errors/http-error';
import { decodeJsonMetrics, decodeProtobufMetrics } from '../metrics/decode-metrics';
import type { MetricStore } from '../metrics/metric-store';
import { discardBody, readBody, type BodyLimits } from './body-reader';
import { bodyFormat, contentEncoding, type BodyFormat } from './content-type';
import { sendError, sendExportSuccess } from './responses';

/** What the metrics handler works with; owned by the receiver. */
export interface MetricsHandlerContext {
  limits: BodyLimits;
  metrics: MetricStore;
}

/** The path OTLP/HTTP metric exporters post to. */
export const METRICS_PATH = '/v1/metrics';

/** Answers `POST /v1/metrics` (JSON or protobuf, gzip or not) as a collector does; never rejects. */
export async function handleMetricsRequest(req: IncomingMessage, res: ServerResponse, ctx: MetricsHandlerContext): Promise<void> {
  const contentType = req.headers['content-type'];
  let format: BodyFormat = 'json';
  try {
    format = bodyFormat(req.headers);
    const body = await readBody(req, contentEncoding(req.headers), ctx.limits, { rawBytes: 0 });
    let points;
    try {
      points = format === 'json' ? decodeJsonMetrics(body, ctx.limits.maxDecodedBytes) : decodeProtobufMetrics(body, ctx.limits.maxDecodedBytes);
    } catch (error) {
      throw error instanceof HttpError ? error : new HttpError(400, `cannot decode the ${format} body: ${error instanceof Error ? error.message : String(error)}`);
    }
    ctx.metrics.add(points);
    sendExportSuccess(res, format, { contentType });
  } catch (error) {
    const failure = error instanceof HttpError ? error : new HttpError(500, `internal error: ${error instanceof Error ? error.message : String(error)}`);
    if (failure.status === 0) {
      req.socket.destroy();
      return;
    }
    sendError(res, failure.status, failure.message, format, { contentType, headers: failure.headers });
    discardBody(req, ctx.limits);
  }
}
