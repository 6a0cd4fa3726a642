// FORKHOOKS_OTLP_MAX_REQUEST_BYTES: the most bytes one OTLP/HTTP request body of forkhooks' span
// pipeline may have (before gzip, which only makes it smaller). Collectors and the proxies in front
// of them refuse larger bodies with 413, and the stock BatchSpanProcessor counts spans, never bytes.
// The default, 1,000,000 bytes, is under nginx's default client_max_body_size (1 MiB = 1,048,576
// bytes, the smallest common limit on the way), the OpenTelemetry Collector's (confighttp's
// max_request_body_size: 20 MiB) and gRPC's 4 MiB; a batch of 512 ordinary spans (a few hundred
// bytes each) stays far below it, so only batches of large spans are cut.
import { warnOnce } from '../shared/once';
import { MAX_REQUEST_BYTES_VARIABLE } from './span-drops';

/** The default request limit (see above). */
export const DEFAULT_MAX_REQUEST_BYTES = 1_000_000;
/** Below this, not even one ordinary span with its resource fits: such a value is a mistake. */
export const MIN_MAX_REQUEST_BYTES = 1024;

/** The request limit from `env`; a bad value gets one warning naming the variable and the default used. */
export function resolveMaxRequestBytes(env: NodeJS.ProcessEnv): number {
  const raw = env[MAX_REQUEST_BYTES_VARIABLE]?.trim();
  if (raw === undefined || raw === '') return DEFAULT_MAX_REQUEST_BYTES;
  const value = Number(raw);
  if (/^\d+$/.test(raw) && Number.isSafeInteger(value) && value >= MIN_MAX_REQUEST_BYTES) return value;
  const message =
    `${MAX_REQUEST_BYTES_VARIABLE}=${JSON.stringify(raw)} is not a whole number of bytes of at least ${MIN_MAX_REQUEST_BYTES}; ` +
    `ignoring it and using the default, ${DEFAULT_MAX_REQUEST_BYTES} bytes`;
  warnOnce(message);
  return DEFAULT_MAX_REQUEST_BYTES;
}
