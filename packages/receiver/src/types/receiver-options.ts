import type { FaultOptions } from './fault';

/** Options of `startReceiver`. Every one has a default. */
export interface ReceiverOptions {
  /** TCP port; 0 picks a free one. Default 4318, the OTLP/HTTP port. */
  port?: number;
  /**
   * TCP port of OTLP/gRPC (`TraceService/Export`); 0 picks a free one. Default 4317, the OTLP/gRPC
   * port, when `port` is the default 4318; a free port otherwise (so that `port: 0` never collides).
   */
  grpcPort?: number;
  /** Interface to listen on. Default `127.0.0.1`: the receiver is a local tool, not a network service. */
  host?: string;
  /** Largest request body (or gRPC message), compressed and decompressed alike; larger gets 413 (RESOURCE_EXHAUSTED over gRPC). Default 16 MiB. */
  maxBodyBytes?: number;
  /**
   * Most memory one request may take once decoded, as estimated from its content before (protobuf)
   * or while (JSON) it is decoded; more gets 413 (RESOURCE_EXHAUSTED over gRPC), naming what it held.
   * It bounds what a body of many small items (empty spans, events, attributes) costs, which can be
   * hundreds of times its size. Default 10 × `maxBodyBytes` (160 MiB with the default 16 MiB): a body
   * of real spans under `maxBodyBytes` fits (the densest, spans with no attributes, take 7 to 8 times
   * their protobuf size).
   */
  maxDecodedBytes?: number;
  /** Spans kept in memory; beyond it spans are counted but not kept (see `stats().spansDropped`). Default 1,000,000. */
  maxSpans?: number;
  /**
   * Distinct `service.instance.id` values tracked in `byInstance()`; spans of instances beyond it still
   * count in the totals (see `stats().spansUntracked`). Default 1,000.
   */
  maxInstances?: number;
  /** Time a client has to send its request headers before the connection is closed (gRPC: a connection with no call for this long is closed). Default 5,000 ms. */
  headersTimeoutMs?: number;
  /** Time a client has to send the body once its headers arrived; then 408 and the connection is closed. Default 10,000 ms. */
  bodyTimeoutMs?: number;
  /** How many recent requests `recentRequests()` keeps (headers included). Default 16. */
  keepRequests?: number;
  /** A fault to play from the start (see `setFault`). */
  fault?: FaultOptions;
}

/** `ReceiverOptions` with every default filled in. */
export interface ResolvedReceiverOptions {
  port: number;
  grpcPort: number;
  host: string;
  maxBodyBytes: number;
  maxDecodedBytes: number;
  maxSpans: number;
  maxInstances: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  keepRequests: number;
  fault: FaultOptions | undefined;
}
