// gRPC status codes by HTTP status, as the OpenTelemetry Collector maps them both ways: the code an
// OTLP/HTTP error body carries (google.rpc.Status.code), and the status a gRPC answer ends with.
const BY_HTTP_STATUS: Readonly<Record<number, number>> = {
  400: 3, // INVALID_ARGUMENT
  401: 16, // UNAUTHENTICATED
  403: 7, // PERMISSION_DENIED
  404: 12, // UNIMPLEMENTED
  405: 12,
  408: 4, // DEADLINE_EXCEEDED
  413: 8, // RESOURCE_EXHAUSTED
  415: 3,
  429: 8,
  500: 13, // INTERNAL
  501: 12,
  502: 14, // UNAVAILABLE: the exporters retry it
  503: 14,
  504: 14,
};
/** UNKNOWN: what any other status becomes. */
const UNKNOWN = 2;

/** The gRPC status code a collector answers for this HTTP status. */
export function grpcCodeForHttpStatus(status: number): number {
  return BY_HTTP_STATUS[status] ?? UNKNOWN;
}
