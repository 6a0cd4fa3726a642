// startReceiver and the receiver it returns. A little over 200 lines, one file: the receiver is one
// object whose read methods (spans, metrics, stats, waitForSpans) are one line each over its stores,
// and its start and close share the server, the gRPC listener and the open sockets it tracks.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ReceiverListenError } from './errors/listen.error';
import { FaultState } from './fault-state';
import { listenGrpc, type GrpcListener } from './grpc/grpc-server';
import { route, TRACES_PATH, type RouterContext } from './http/router';
import { resolveReceiverOptions } from './options';
import { MetricStore, type InstanceMetrics } from './metrics/metric-store';
import { RequestLog } from './request-log';
import { SpanStore } from './span-store';
import { buildSummary, formatInstances } from './summary';
import type { FaultOptions } from './types/fault';
import type { InstanceSummary } from './types/instance-summary';
import type { ReceivedSpan } from './types/received-span';
import type { Receiver } from './types/receiver';
import type { ReceiverOptions, ResolvedReceiverOptions } from './types/receiver-options';
import type { ReceiverStats, RequestRecord } from './types/receiver-stats';

/** Default `waitForSpans` timeout. */
export const DEFAULT_WAIT_TIMEOUT_MS = 10_000;

/**
 * Starts an OTLP trace receiver, OTLP/HTTP on 127.0.0.1:4318 and OTLP/gRPC on 4317 unless told
 * otherwise, and resolves once both listen. Rejects with `ReceiverOptionError` on a bad option,
 * `ReceiverListenError` when a port is taken.
 */
export async function startReceiver(options?: ReceiverOptions): Promise<Receiver> {
  const resolved = resolveReceiverOptions(options);
  const server = createServer({
    headersTimeout: resolved.headersTimeoutMs,
    // Node's own whole-request deadline backs up the body timer of the trace handler.
    requestTimeout: resolved.headersTimeoutMs + resolved.bodyTimeoutMs,
    // Node checks those deadlines every 30 s by default: far too coarse for a few-second timeout.
    connectionsCheckingInterval: Math.max(25, Math.min(1_000, Math.floor(resolved.headersTimeoutMs / 4))),
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: unknown): void => reject(new ReceiverListenError(resolved.host, resolved.port, error));
    server.once('error', onError);
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const receiver = new OtlpReceiver(server, resolved);
  try {
    await receiver.listenGrpc();
  } catch (error) {
    await receiver.close();
    throw new ReceiverListenError(resolved.host, resolved.grpcPort, error);
  }
  return receiver;
}

class OtlpReceiver implements Receiver {
  readonly url: string;
  readonly tracesUrl: string;
  readonly port: number;
  grpcPort = 0;
  grpcUrl = '';
  readonly host: string;
  readonly options: Readonly<ResolvedReceiverOptions>;

  private readonly store: SpanStore;
  private readonly metricStore = new MetricStore();
  private readonly log: RequestLog;
  private readonly faults: FaultState;
  private readonly counters = { requests: 0, accepted: 0, rejected: 0 };
  private readonly abort = new AbortController();
  private readonly sockets = new Set<Socket>();
  private closing: Promise<void> | undefined;
  private grpc: GrpcListener | undefined;
  private readonly ctx: RouterContext;

  constructor(
    private readonly server: Server,
    options: ResolvedReceiverOptions,
  ) {
    this.options = Object.freeze({ ...options });
    this.store = new SpanStore(options.maxSpans, options.maxInstances);
    this.log = new RequestLog(options.keepRequests);
    this.faults = new FaultState(options.fault);
    this.port = (server.address() as AddressInfo).port;
    this.host = options.host;
    this.url = `http://${urlHost(options.host)}:${this.port}`;
    this.tracesUrl = `${this.url}${TRACES_PATH}`;

    const ctx: RouterContext = (this.ctx = {
      limits: { maxBodyBytes: options.maxBodyBytes, maxDecodedBytes: options.maxDecodedBytes, timeoutMs: options.bodyTimeoutMs },
      store: this.store,
      log: this.log,
      faults: this.faults,
      counters: this.counters,
      signal: this.abort.signal,
      metrics: this.metricStore,
      summary: () => ({ ...buildSummary(this.tracesUrl, this.stats(), this.store.instances()), metrics: this.metricStore.instances() }),
      spans: (limit) => ({ count: this.store.received(), spans: limit === 0 ? [] : this.store.spans().slice(-limit) }),
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => route(req, res, ctx, false));
    // Answer `Expect: 100-continue` ourselves, so that an oversized body is refused before it is sent.
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => route(req, res, ctx, true));
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    // After listen, a server error (EMFILE on accept, say) must not crash the process that embeds us.
    server.on('error', () => undefined);
  }

  /** Starts the OTLP/gRPC side on `options.grpcPort`, sharing the store, log, limits and faults. */
  async listenGrpc(): Promise<void> {
    this.grpc = await listenGrpc(this.options.host, this.options.grpcPort, this.ctx, this.options.headersTimeoutMs);
    this.grpcPort = this.grpc.port;
    this.grpcUrl = `http://${urlHost(this.options.host)}:${this.grpcPort}`;
  }

  spans(): ReceivedSpan[] {
    return this.store.spans();
  }

  count(): number {
    return this.store.received();
  }

  byInstance(): InstanceSummary[] {
    return this.store.instances();
  }

  metrics(): InstanceMetrics[] {
    return this.metricStore.instances();
  }

  counterTotal(name: string): number {
    return this.metricStore.counterTotal(name);
  }

  requests(): number {
    return this.counters.requests;
  }

  lastHeaders(): RequestRecord['headers'] | undefined {
    return this.log.lastHeaders();
  }

  recentRequests(): RequestRecord[] {
    return this.log.list();
  }

  stats(): ReceiverStats {
    return {
      requests: this.counters.requests,
      acceptedRequests: this.counters.accepted,
      rejectedRequests: this.counters.rejected,
      spansReceived: this.store.received(),
      spansStored: this.store.stored(),
      spansDropped: this.store.dropped(),
      maxSpans: this.store.maxSpans,
      instancesTracked: this.store.instanceCount(),
      spansUntracked: this.store.untracked(),
      maxInstances: this.store.maxInstances,
    };
  }

  waitForSpans(count: number, timeoutMs = DEFAULT_WAIT_TIMEOUT_MS): Promise<ReceivedSpan[]> {
    if (!Number.isInteger(count) || count < 0) return Promise.reject(new TypeError(`waitForSpans: count must be a whole number, got ${String(count)}`));
    if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) {
      return Promise.reject(new TypeError(`waitForSpans: timeoutMs must be a number of milliseconds, got ${String(timeoutMs)}`));
    }
    return this.store.waitFor(count, timeoutMs, () => {
      const stats = this.stats();
      const rejected = stats.rejectedRequests ? `, ${stats.rejectedRequests} rejected` : '';
      const requests = `${stats.requests} trace request${stats.requests === 1 ? '' : 's'}`;
      return `${requests}${rejected}; ${formatInstances(stats.spansReceived, this.store.instances(), stats.spansUntracked)}`;
    });
  }

  reset(): void {
    this.store.reset();
    this.metricStore.reset();
    this.log.clear();
    this.counters.requests = 0;
    this.counters.accepted = 0;
    this.counters.rejected = 0;
  }

  setFault(fault: FaultOptions | undefined): void {
    this.faults.set(fault);
  }

  fault(): FaultOptions | undefined {
    return this.faults.current();
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.abort.abort();
      this.store.close();
      this.grpc?.server.forceShutdown();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      for (const socket of this.sockets) socket.destroy();
    });
    return this.closing;
  }
}

/** The host part of a URL to reach `host`: a wildcard address becomes loopback, IPv6 gets brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
