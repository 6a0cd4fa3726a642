import type { IncomingHttpHeaders } from 'node:http';

/** Counters of a receiver since it started or was last `reset()`. */
export interface ReceiverStats {
  /** Trace requests (`POST /v1/traces`, and gRPC calls) received, whatever their outcome. */
  requests: number;
  /** Trace requests answered 200 with their spans decoded. */
  acceptedRequests: number;
  /** Trace requests answered with an error, dropped by a fault, or cut off (timeout, oversize, client gone). */
  rejectedRequests: number;
  /** Spans received in accepted requests, kept or not. */
  spansReceived: number;
  /** Spans held in memory (`spans().length`). */
  spansStored: number;
  /** Spans received but not kept because `maxSpans` was reached. */
  spansDropped: number;
  /** The `maxSpans` limit in force. */
  maxSpans: number;
  /** Distinct `service.instance.id` values tracked (`byInstance().length`). */
  instancesTracked: number;
  /** Spans received from instances beyond `maxInstances`: in `spansReceived`, in no instance's count. */
  spansUntracked: number;
  /** The `maxInstances` limit in force. */
  maxInstances: number;
}

/** One trace request as the receiver saw it. */
export interface RequestRecord {
  /** When its headers arrived (ms since the epoch). */
  receivedAt: number;
  method: string;
  /** The path with its query string, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  /**
   * HTTP status answered; 0 when no answer was sent (client gone, `reset` fault, socket closed by a
   * timeout). A gRPC call that succeeded is 200; its outcome is `grpcStatus`.
   */
  status: number;
  /** gRPC calls only: the status code the call ended with (0 OK, 8 RESOURCE_EXHAUSTED, 14 UNAVAILABLE, ...). */
  grpcStatus?: number;
  /** Body bytes as sent (compressed, when it was); for a gRPC call, the message's size once decompressed. */
  bodyBytes: number;
  /** Spans decoded from it (0 when it was rejected). */
  spans: number;
  /** Why it was rejected, when it was. */
  error: string | undefined;
}
