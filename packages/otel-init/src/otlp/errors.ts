// The transport's own errors: a missing exporter package, a collector's refusal. Codes: shared/codes.ts.
import { OtelErrorCodes } from '../shared/codes';

/**
 * The exporter package of the chosen OTLP protocol is not installed (they are optional peers: an
 * app installs the one it uses). Thrown by postfork, so a worker never runs without its exporter.
 */
export class ExporterNotInstalledError extends Error {
  override name = 'ExporterNotInstalledError';
  readonly code = OtelErrorCodes.EXPORTER_MISSING;

  constructor(
    /** The package that is missing, such as `@opentelemetry/exporter-trace-otlp-grpc` or `@opentelemetry/exporter-metrics-otlp-grpc`. */
    readonly packageName: string,
    /** The protocol that needs it. */
    readonly protocol: string,
    /** The option or variable that chose the protocol. */
    setting: string,
  ) {
    super(
      `${setting}=${protocol} needs ${packageName}, which is not installed: run \`npm install ${packageName}\` ` +
        `(the version of your OpenTelemetry SDK line: ^0.223.0 with sdk-trace/sdk-metrics 2.x, ^0.301.0 with 3.x), or choose another protocol`,
    );
  }
}

/** The collector answered an export with an HTTP status that is not retried (OTLP/HTTP: anything but 429, 502, 503, 504). */
export class ExportHttpError extends Error {
  override name = 'ExportHttpError';
  readonly code = OtelErrorCodes.OTLP_HTTP_STATUS;

  constructor(
    /** The HTTP status of the answer. */
    readonly status: number,
    /** Its reason phrase (`Bad Request`), else `HTTP error`; then the status, and what the collector said (redacted). */
    reason: string,
    said: string | undefined,
  ) {
    super(`${reason || 'HTTP error'} (HTTP ${status})${said ? `: ${said}` : ''}`);
  }
}
