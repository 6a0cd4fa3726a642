import type { IncomingMessage, ServerResponse } from 'node:http';
import { discardBody } from './body-reader';
import { sendError, sendJson } from './responses';
import { handleMetricsRequest, METRICS_PATH, type MetricsHandlerContext } from './metrics-handler';
import { handleTraceRequest, type TraceHandlerContext } from './trace-handler';

/** What the router needs besides the trace handler's context. */
export interface RouterContext extends TraceHandlerContext, MetricsHandlerContext {
  /** The `GET /` document. */
  summary(): unknown;
  /** The `GET /spans` document, with at most `limit` spans. */
  spans(limit: number): unknown;
}

export const TRACES_PATH = '/v1/traces';
const DEFAULT_SPANS_LIMIT = 100;

/** Routes one request: `POST /v1/traces`, `GET /` and `GET /spans`; 405 and 404 for the rest. Never throws. */
export function route(req: IncomingMessage, res: ServerResponse, ctx: RouterContext, expectContinue: boolean): void {
  try {
    dispatch(req, res, ctx, expectContinue);
  } catch (error) {
    // A throw in an HTTP 'request' listener would crash the process that embeds the receiver.
    sendError(res, 500, `internal error: ${error instanceof Error ? error.message : String(error)}`, 'json', { close: true });
    if (!res.headersSent) req.socket.destroy();
  }
}

function dispatch(req: IncomingMessage, res: ServerResponse, ctx: RouterContext, expectContinue: boolean): void {
  const url = parseUrl(req.url);
  const method = req.method ?? '';
  if (url?.pathname === TRACES_PATH) {
    if (method === 'POST') {
      // It answers every failure itself; this catch is the last line that keeps a bug from crashing the host process.
      handleTraceRequest(req, res, ctx, expectContinue).catch(() => req.socket.destroy());
      return;
    }
    return refuse(req, res, ctx, 405, `${method} is not allowed on ${TRACES_PATH}: send traces with POST`, { allow: 'POST' });
  }
  if (url?.pathname === METRICS_PATH) {
    if (method === 'POST') return void handleMetricsRequest(req, res, ctx).catch(() => req.socket.destroy());
    return refuse(req, res, ctx, 405, `${method} is not allowed on ${METRICS_PATH}: send metrics with POST`, { allow: 'POST' });
  }
  if (url?.pathname === '/' || url?.pathname === '/spans') {
    if (method !== 'GET' && method !== 'HEAD') {
      return refuse(req, res, ctx, 405, `${method} is not allowed on ${url.pathname}: use GET`, { allow: 'GET, HEAD' });
    }
    const limit = Number(url.searchParams.get('limit') ?? DEFAULT_SPANS_LIMIT);
    const document = url.pathname === '/' ? ctx.summary() : ctx.spans(Number.isInteger(limit) && limit >= 0 ? limit : DEFAULT_SPANS_LIMIT);
    sendJson(res, 200, document, method === 'HEAD');
    return;
  }
  const what = url === undefined ? JSON.stringify(req.url) : url.pathname;
  refuse(req, res, ctx, 404, `nothing at ${what}: this receiver takes OTLP traces at POST ${TRACES_PATH} and metrics at POST ${METRICS_PATH} (no logs)`);
}

function refuse(req: IncomingMessage, res: ServerResponse, ctx: RouterContext, status: number, message: string, headers: Record<string, string> = {}): void {
  sendError(res, status, message, 'json', { headers });
  discardBody(req, ctx.limits);
}

function parseUrl(raw: string | undefined): URL | undefined {
  try {
    return new URL(raw ?? '/', 'http://receiver.invalid');
  } catch {
    return undefined;
  }
}
