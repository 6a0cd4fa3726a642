// The OTLP/HTTP trace encodings forkhooks' span pipeline can send, by OTEL_EXPORTER_OTLP_PROTOCOL.
import { jsonEncoding } from './json-encoding';
import { protobufEncoding } from './protobuf-encoding';
import type { TraceEncoding } from './trace-encoding';

/** The encoding of an OTLP/HTTP protocol: spans encoded as they end, batched into one request body. */
export function traceEncoding(protocol: 'http/protobuf' | 'http/json'): TraceEncoding {
  switch (protocol) {
    case 'http/protobuf':
      return protobufEncoding;
    case 'http/json':
      return jsonEncoding;
    default:
      throw new TypeError(`traceEncoding: unknown protocol ${JSON.stringify(protocol)}; use 'http/protobuf' or 'http/json' (gRPC is sent by the OTLP gRPC exporter)`);
  }
}
