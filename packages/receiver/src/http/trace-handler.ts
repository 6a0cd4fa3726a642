import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { HttpError } from '../errors/http-error';
import type { FaultState } from '../fault-state';
import { decodeJsonTraces } from '../otlp/decode-json';
import { decodeProtobufTraces } from '../otlp/decode-protobuf';
import { newRecord, type RequestLog } from '../request-log';
import type { SpanStore } from '../span-store';
import type { ReceivedSpan } from '../types/received-span';
import { discardBody, readBody, type BodyLimits } from './body-reader';
import { bodyFormat, contentEncoding, declaredLength, type BodyFormat } from './content-type';
import { sendError, sendExportSuccess, sendGarbage } from './responses';

/** Request counters the trace handler keeps for `stats()`. */
export interface TraceCounters {
  requests: number;
  accepted: number;
  rejected: number;
}

/** What the trace handler works with; owned by the receiver. */
export interface TraceHandlerContext {
  limits: BodyLimits;
  store: SpanStore;
  log: RequestLog;
  faults: FaultState;
  counters: TraceCounters;
  /** Aborted by `close()`: ends fault delays at once. */
  signal: AbortSignal;
}

// How long a connection we close on purpose may take to flush our answer before it is destroyed.
const CLOSE_GRACE_MS = 1_000;

/**
 * Answers `POST /v1/traces` as a collector does. Never rejects: every failure becomes an HTTP answer
 * (or, when there is nobody to answer, a closed connection) and a line in the request log.
 */
export async function handleTraceRequest(req: IncomingMessage, res: ServerResponse, ctx: TraceHandlerContext, expectContinue: boolean): Promise<void> {
  const record = newRecord(req.method ?? '', req.url ?? '', { ...req.headers });
  ctx.counters.requests += 1;
  ctx.log.add(record);
  const progress = { rawBytes: 0 };
  const contentType = req.headers['content-type'];
  let format: BodyFormat = 'json';
  let continued = false;
  try {
    format = bodyFormat(req.headers);
    const encoding = contentEncoding(req.headers);
    const declared = declaredLength(req.headers);
    if (declared !== undefined && declared > ctx.limits.maxBodyBytes) {
      throw new HttpError(413, `Content-Length ${declared} is larger than maxBodyBytes (${ctx.limits.maxBodyBytes} bytes)`);
    }
    if (expectContinue) {
      res.writeContinue();
      continued = true;
    }
    const body = await readBody(req, encoding, ctx.limits, progress);
    record.bodyBytes = progress.rawBytes;

    const fault = ctx.faults.take();
    if (fault?.delayMs) await delay(fault.delayMs, undefined, { signal: ctx.signal });
    if (fault?.reset) {
      ctx.counters.rejected += 1;
      record.error = 'connection reset by the reset fault';
      req.socket.destroy();
      return;
    }
    if (fault?.status !== undefined) {
      const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
      throw new HttpError(fault.status, `fault injected by the receiver: status ${fault.status}`, false, headers);
    }
    const spans = await decode(format, body, ctx.limits.maxDecodedBytes);
    ctx.store.add(spans);
    ctx.counters.accepted += 1;
    record.spans = spans.length;
    record.status = 200;
    if (fault?.garbage) sendGarbage(res, format, { contentType });
    else sendExportSuccess(res, format, { contentType });
  } catch (error) {
    ctx.counters.rejected += 1;
    record.bodyBytes = progress.rawBytes;
    if (ctx.signal.aborted) return; // close() is tearing everything down.
    const failure = error instanceof HttpError ? error : new HttpError(500, `internal error: ${describe(error)}`);
    record.error = failure.message;
    if (failure.status === 0) {
      req.socket.destroy();
      return;
    }
    record.status = failure.status;
    // A client that waits for `100 Continue` and gets an error instead will not send its body.
    const close = failure.closeConnection || (expectContinue && !continued);
    sendError(res, failure.status, failure.message, format, { contentType, close, headers: failure.headers });
    if (close) setTimeout(() => req.socket.destroy(), CLOSE_GRACE_MS).unref();
    else discardBody(req, ctx.limits);
  }
}

async function decode(format: BodyFormat, body: Buffer, maxDecodedBytes: number): Promise<ReceivedSpan[]> {
  try {
    return await (format === 'json' ? decodeJsonTraces(body, maxDecodedBytes) : decodeProtobufTraces(body, maxDecodedBytes));
  } catch (error) {
    if (error instanceof HttpError) throw error;
    // Whatever else a decoder throws (a stack overflow on absurdly deep values, say) is still bad input.
    throw new HttpError(400, `cannot decode the ${format} body: ${describe(error)}`);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
