import type { IncomingHttpHeaders } from 'node:http';
import type { InstanceMetrics } from '../metrics/metric-store';
import type { FaultOptions } from './fault';
import type { InstanceSummary } from './instance-summary';
import type { ReceivedSpan } from './received-span';
import type { ReceiverStats, RequestRecord } from './receiver-stats';
import type { ResolvedReceiverOptions } from './receiver-options';

/** A running receiver, as `startReceiver` returns it. */
export interface Receiver {
  /** Base URL, such as `http://127.0.0.1:43210`: what `OTEL_EXPORTER_OTLP_ENDPOINT` takes. */
  readonly url: string;
  /** `${url}/v1/traces`: what `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` takes. */
  readonly tracesUrl: string;
  /** The port it listens on (the one picked, when asked for port 0). */
  readonly port: number;
  /** The OTLP/gRPC port (the one picked, when asked for 0). */
  readonly grpcPort: number;
  /** `http://host:grpcPort`: what `OTEL_EXPORTER_OTLP_ENDPOINT` takes with `OTEL_EXPORTER_OTLP_PROTOCOL=grpc`. */
  readonly grpcUrl: string;
  /** The host it listens on. */
  readonly host: string;
  /** The options in force, defaults filled in. */
  readonly options: Readonly<ResolvedReceiverOptions>;

  /** The kept spans, flattened, in arrival order (at most `maxSpans`). */
  spans(): ReceivedSpan[];
  /** Spans received, including any not kept because of `maxSpans`. */
  count(): number;
  /** Spans received per `service.instance.id`, with each instance's resource attributes, in order of first arrival. */
  byInstance(): InstanceSummary[];
  /** Metrics received at `POST /v1/metrics`, per `service.instance.id`: counter totals and histogram counts by name. */
  metrics(): InstanceMetrics[];
  /** One counter's total over every instance (cumulative points count once, at their latest value). */
  counterTotal(name: string): number;
  /** Trace requests received (`POST /v1/traces` and gRPC calls), whatever their outcome. */
  requests(): number;
  /** The headers of the latest trace request (lowercase names, as Node gives them). */
  lastHeaders(): IncomingHttpHeaders | undefined;
  /** The latest trace requests (`keepRequests` of them), oldest first, with their headers and outcome. */
  recentRequests(): RequestRecord[];
  /** Counters: requests accepted and rejected, spans received, kept and dropped. */
  stats(): ReceiverStats;
  /**
   * Resolves with the kept spans once at least `count` spans were received in all (default timeout
   * 10 s); rejects with `WaitForSpansTimeoutError` saying how many arrived, or `ReceiverClosedError`.
   */
  waitForSpans(count: number, timeoutMs?: number): Promise<ReceivedSpan[]>;
  /** Forgets spans, counts and requests (the fault stays). */
  reset(): void;
  /** Plays a fault on the next trace requests (see `FaultOptions`); `undefined` stops it. */
  setFault(fault: FaultOptions | undefined): void;
  /** The fault in force, with `times` left, if any. */
  fault(): FaultOptions | undefined;
  /** Stops listening and closes every open connection at once; resolves when the server is closed. Idempotent. */
  close(): Promise<void>;
}
