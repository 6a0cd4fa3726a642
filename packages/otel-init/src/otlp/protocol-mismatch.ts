import type { OtlpTransport } from './protocol';

// An exporter of one OTLP transport pointed at the other's port fails in a way of its own, the same
// on both SDK lines (measured against the receiver, whose ports speak what a collector's do):
// - OTLP/HTTP (HTTP/1.1) at a gRPC port (h2c only): the server's first bytes are an HTTP/2 frame,
//   which Node's HTTP parser rejects ("Parse Error: Expected HTTP/", code HPE_INVALID_CONSTANT).
//   "socket hang up" is no sign: a collector that goes away mid-request gives it too.
// - OTLP/gRPC (HTTP/2) at an HTTP/1.1 port: the HTTP/2 session fails, and grpc-js ends the call
//   with UNAVAILABLE (14) "No connection established. Last error: Protocol error".
// The export error alone says nothing about ports; this says it once, with the variable to set.

const GRPC_UNAVAILABLE = 14;

/** The advice when `error` (an export's) shows the endpoint speaks the other OTLP transport; undefined otherwise. */
export function protocolMismatchHint(config: Pick<OtlpTransport, 'protocol' | 'protocolSetting'>, error: Error | undefined): string | undefined {
  if (error === undefined) return undefined;
  const code = (error as { code?: unknown }).code;
  const setting = config.protocolSetting === 'protocol' ? 'the protocol option' : config.protocolSetting;
  if (config.protocol === 'grpc') {
    if (code !== GRPC_UNAVAILABLE || !/Protocol error|Received HTTP status code|HTTP\/1/i.test(error.message)) return undefined;
    return (
      `the endpoint does not speak HTTP/2, so it looks like an OTLP/HTTP port (4318), not OTLP/gRPC: ` +
      `set ${setting}=http/protobuf (or http/json) for it, or point the endpoint at the collector's OTLP/gRPC port (4317)`
    );
  }
  const parseError = (typeof code === 'string' && code.startsWith('HPE_')) || /^Parse Error/.test(error.message);
  if (!parseError) return undefined;
  return (
    `the endpoint did not answer in HTTP/1.1, so it looks like an OTLP/gRPC port (4317), not OTLP/HTTP: ` +
    `set ${setting}=grpc for it, or point the endpoint at the collector's OTLP/HTTP port (4318)`
  );
}
