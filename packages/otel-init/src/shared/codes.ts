/** Every error code otel-init throws, in one table (as core, runtimes and the receiver each have). */
export const OtelErrorCodes = {
  /** TracingConfigError: a setting that would send spans (or metrics) nowhere. */
  CONFIG: 'FORKHOOKS_ERR_OTEL_CONFIG',
  /** ExporterNotInstalledError: the chosen protocol's exporter package is not installed. */
  EXPORTER_MISSING: 'FORKHOOKS_ERR_OTEL_EXPORTER_MISSING',
  /** ExportHttpError: the collector answered with a status that is not retried. */
  OTLP_HTTP_STATUS: 'FORKHOOKS_ERR_OTLP_HTTP_STATUS',
} as const;

/** One of the codes above. */
export type OtelErrorCode = (typeof OtelErrorCodes)[keyof typeof OtelErrorCodes];
