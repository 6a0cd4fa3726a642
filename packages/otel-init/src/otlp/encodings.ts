// The OTLP/HTTP trace encodings forkhooks' span pipeline can send, by OTEL_EXPORTER_OTLP_PROTOCOL.
import { TracingConfigError } from '../shared/errors';
import { jsonEncoding } from './json-encoding';
import { protobufEncoding } from './protobuf-encoding';
import type { TraceEncoding } from './trace-encoding';

/** The encoding of an OTLP/HTTP protocol: spans encoded as they end, batched into one request body. */
export function traceEncoding(protocol: 'http/protobuf' | 'http/json'): TraceEncoding {
  if (protocol === 'http/protobuf') return protobufEncoding;
  if (protocol === 'http/json') return jsonEncoding;
  throw new TracingConfigError('protocol', `${JSON.stringify(protocol)} has no OTLP/HTTP trace encoding: use 'http/protobuf' or 'http/json' (grpc goes through the OTLP gRPC exporter)`);
}
