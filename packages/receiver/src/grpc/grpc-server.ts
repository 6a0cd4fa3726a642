import {
  type Metadata,
  Server,
  ServerCredentials,
  ServerInterceptingCall,
  status as Status,
  type ServerInterceptingCallInterface,
  type StatusObject,
} from '@grpc/grpc-js';
import type { MetricsHandlerContext } from '../http/metrics-handler';
import type { TraceHandlerContext } from '../http/trace-handler';
import { newRecord } from '../request-log';
import type { RequestRecord } from '../types/receiver-stats';
import { handleMetricsExport, METRICS_EXPORT_PATH, METRICS_SERVICE } from './metrics-service';
import { handleExport, TRACE_SERVICE } from './trace-service';

/** The gRPC side of a receiver: its server and the port it got. */
export interface GrpcListener {
  readonly server: Server;
  readonly port: number;
}

/**
 * Serves OTLP/gRPC `TraceService/Export` and `MetricsService/Export` on `host:port` (0: a free port) with the receiver's limits:
 * a message larger than `maxBodyBytes`, compressed or once decompressed, gets RESOURCE_EXHAUSTED
 * (grpc-js checks both); a request whose message has not arrived `bodyTimeoutMs` after its headers
 * gets DEADLINE_EXCEEDED; a connection idle for `idleTimeoutMs` is closed; gzip (`grpc-encoding:
 * gzip`) is decompressed by grpc-js.
 */
export function listenGrpc(host: string, port: number, ctx: TraceHandlerContext & MetricsHandlerContext, idleTimeoutMs: number): Promise<GrpcListener> {
  const records = new WeakMap<Metadata, RequestRecord>();
  const server = new Server({
    'grpc.max_receive_message_length': ctx.limits.maxBodyBytes,
    // A connection with no call in flight for this long is closed (GOAWAY), as the HTTP side closes
    // one that sends no request headers: a client that connects and says nothing holds nothing.
    'grpc.max_connection_idle_ms': idleTimeoutMs,
    // Metrics calls are kept apart from the trace counters and request log, as POST /v1/metrics is.
    interceptors: [(method, call) => (method.path === METRICS_EXPORT_PATH ? new ServerInterceptingCall(call) : recordingCall(method.path, call, ctx, records))],
  });
  server.addService(TRACE_SERVICE, {
    Export: (call: Parameters<typeof handleExport>[0], callback: Parameters<typeof handleExport>[1]) => {
      void handleExport(call, callback, ctx, (metadata) => records.get(metadata));
    },
  });
  server.addService(METRICS_SERVICE, {
    Export: (call: Parameters<typeof handleMetricsExport>[0], callback: Parameters<typeof handleMetricsExport>[1]) => handleMetricsExport(call, callback, ctx.metrics, ctx.limits.maxDecodedBytes),
  });
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, bound) => {
      if (error) {
        server.forceShutdown();
        reject(error);
      } else {
        resolve({ server, port: bound });
      }
    });
  });
}

/**
 * Wraps every call (Export or not) so that it is counted and logged as an HTTP request is: its
 * metadata as headers (with the `grpc-encoding` it was sent with, which grpc-js strips from the
 * metadata), its size, and the status it ended with, whether the handler or grpc-js (a limit) set it.
 */
function recordingCall(
  path: string,
  call: ServerInterceptingCallInterface, ctx: TraceHandlerContext, records: WeakMap<Metadata, RequestRecord>): ServerInterceptingCall {
  const record = newRecord('POST', path, {});
  ctx.counters.requests += 1;
  ctx.log.add(record);
  // Set by the server before any interceptor runs; not part of grpc-js' typed API, so read defensively.
  const encoding = (call as unknown as { incomingEncoding?: unknown }).incomingEncoding;
  let timer: NodeJS.Timeout | undefined;
  let settled = false;
  const settle = (result: StatusObject | { code: number; details: string }): void => {
    clearTimeout(timer);
    if (settled) return;
    settled = true;
    record.grpcStatus = result.code;
    if (result.code === Status.OK) {
      ctx.counters.accepted += 1;
      record.status = 200;
    } else {
      ctx.counters.rejected += 1;
      record.spans = 0;
      record.error = result.details;
    }
  };
  // grpc-js ends a call it refuses itself (a message over the limit, a bad encoding) from inside the
  // call below this interceptor, not through it: hear every status where they all pass.
  const sendStatus = call.sendStatus.bind(call);
  call.sendStatus = (status: StatusObject): void => {
    settle(status);
    sendStatus(status);
  };
  return new ServerInterceptingCall(call, {
    start: (next) => {
      timer = setTimeout(() => {
        call.sendStatus({ code: Status.DEADLINE_EXCEEDED, details: `the request message did not arrive within ${ctx.limits.timeoutMs} ms`, metadata: null });
      }, ctx.limits.timeoutMs).unref();
      next({
        onReceiveMetadata: (metadata, pass) => {
          const headers: RequestRecord['headers'] = {};
          for (const [key, value] of Object.entries(metadata.getMap())) headers[key] = Buffer.isBuffer(value) ? value.toString('base64') : value;
          if (typeof encoding === 'string' && encoding !== 'identity') headers['grpc-encoding'] = encoding;
          record.headers = headers;
          records.set(metadata, record);
          pass(metadata);
        },
        onReceiveMessage: (message, pass) => {
          clearTimeout(timer);
          record.bodyBytes = Buffer.isBuffer(message) ? message.length : 0;
          pass(message);
        },
        onCancel: () => settle({ code: Status.CANCELLED, details: 'the client cancelled the call (its deadline passed, or it went away)' }),
      });
    },
  });
}
