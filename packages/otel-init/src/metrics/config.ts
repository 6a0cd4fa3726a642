import { log } from '@forkhooks/core';
import { headerList, positiveInteger } from '../shared/env';
import { explicitExporters, exporterList } from '../shared/exporter-list';
import { TracingConfigError } from '../shared/errors';
import { resolveCompression, resolveEndpoint, resolveProtocol, resolveTls, type OtlpProtocol, type OtlpTransport } from '../otlp/protocol';

// The OTEL_* metrics variables, read by otel-init itself (as tracing/config.ts does for traces) so that both
// SDK lines behave the same. Kept apart from the trace config; the OTLP transport variables (protocol,
// endpoint, compression, TLS) are read by otlp/protocol.ts for both signals, `_METRICS_` variants first.

/** The values OTEL_METRICS_EXPORTER takes (the spec's, as NodeSDK reads them). */
export const METRICS_EXPORTERS = ['otlp', 'prometheus', 'console', 'none'] as const;
/** One of METRICS_EXPORTERS. */
export type MetricsExporterName = (typeof METRICS_EXPORTERS)[number];

/**
 * When OTEL_METRICS_EXPORTER is unset: `otlp`, as NodeSDK (`getMetricReadersFromEnv` in
 * experimental/packages/opentelemetry-sdk-node/src/sdk.ts: "OTEL_METRICS_EXPORTER is empty. Using
 * default otlp exporter.") and the spec say.
 */
export const DEFAULT_METRICS_EXPORTER: MetricsExporterName = 'otlp';
/** The spec's defaults: export every 60 s, give up on an export after 30 s. */
export const DEFAULT_METRIC_EXPORT_INTERVAL_MS = 60_000;
export const DEFAULT_METRIC_EXPORT_TIMEOUT_MS = 30_000;
/** The Prometheus exporter's defaults (the spec's). */
export const DEFAULT_PROMETHEUS_HOST = '0.0.0.0';
export const DEFAULT_PROMETHEUS_PORT = 9464;
/** The OTLP exporter's own request timeout (the spec's default: 10 s), as for traces. */
export const DEFAULT_METRICS_EXPORTER_TIMEOUT_MS = 10_000;

/** Metrics settings after options, environment and defaults were applied. */
export interface MetricsConfig extends OtlpTransport {
  /** Empty: metrics off (`none`). */
  exporters: Exclude<MetricsExporterName, 'none'>[];
  intervalMillis: number;
  timeoutMillis: number;
  /**
   * The exporter's request timeout: OTEL_EXPORTER_OTLP_METRICS_TIMEOUT, else OTEL_EXPORTER_OTLP_TIMEOUT,
   * else 10 s, and never more than `timeoutMillis` (the reader gives up on an export then).
   */
  exporterTimeoutMillis: number;
  prometheus: { host: string; port: number };
}

/** What a caller of initMetrics may set; everything falls back to the standard variables. */
export interface MetricsConfigOptions {
  /** As OTEL_METRICS_EXPORTER (a list, or one name). */
  exporter?: MetricsExporterName | MetricsExporterName[];
  /** As OTEL_METRIC_EXPORT_INTERVAL (ms). */
  intervalMillis?: number;
  /** As OTEL_METRIC_EXPORT_TIMEOUT (ms). */
  timeoutMillis?: number;
  /** `grpc`, `http/protobuf` (the default) or `http/json` (as OTEL_EXPORTER_OTLP_METRICS_PROTOCOL). */
  protocol?: OtlpProtocol;
  /** Full URL of the metrics endpoint (as OTEL_EXPORTER_OTLP_METRICS_ENDPOINT). */
  endpoint?: string;
  /** `gzip` or `none` (as OTEL_EXPORTER_OTLP_METRICS_COMPRESSION). */
  compression?: 'gzip' | 'none';
  headers?: Record<string, string>;
  /** As OTEL_EXPORTER_PROMETHEUS_HOST / _PORT. */
  prometheus?: { host?: string; port?: number };
}

/** Applies options, then OTEL_* variables, then defaults; a value that would send metrics nowhere throws TracingConfigError. */
export function resolveMetricsConfig(options: MetricsConfigOptions = {}, env: NodeJS.ProcessEnv = process.env): MetricsConfig {
  const intervalMillis = explicitInteger(options.intervalMillis, 'intervalMillis') ?? positiveInteger(env, 'OTEL_METRIC_EXPORT_INTERVAL') ?? DEFAULT_METRIC_EXPORT_INTERVAL_MS;
  let timeoutMillis = explicitInteger(options.timeoutMillis, 'timeoutMillis') ?? positiveInteger(env, 'OTEL_METRIC_EXPORT_TIMEOUT') ?? DEFAULT_METRIC_EXPORT_TIMEOUT_MS;
  // The SDK's PeriodicExportingMetricReader throws on a timeout above the interval: clamp it out loud.
  if (timeoutMillis > intervalMillis) {
    log.warn(`the metric export timeout (${timeoutMillis} ms, OTEL_METRIC_EXPORT_TIMEOUT) exceeds the interval (${intervalMillis} ms, OTEL_METRIC_EXPORT_INTERVAL); using ${intervalMillis} ms`);
    timeoutMillis = intervalMillis;
  }
  const exporters = resolveExporters(options.exporter, env);
  const { protocol, protocolSetting } = resolveProtocol(options.protocol, env, 'metrics');
  const exporterTimeout = positiveInteger(env, 'OTEL_EXPORTER_OTLP_METRICS_TIMEOUT') ?? positiveInteger(env, 'OTEL_EXPORTER_OTLP_TIMEOUT') ?? DEFAULT_METRICS_EXPORTER_TIMEOUT_MS;
  return {
    exporters,
    intervalMillis,
    timeoutMillis,
    protocol,
    protocolSetting,
    endpoint: resolveEndpoint(protocol, options.endpoint, env, 'metrics'),
    compression: resolveCompression(options.compression, env, 'metrics'),
    // Read only when OTLP is on: a certificate file that cannot be read matters only to an OTLP export.
    tls: exporters.includes('otlp') ? resolveTls(env, 'metrics') : {},
    exporterTimeoutMillis: Math.min(exporterTimeout, timeoutMillis),
    headers: options.headers ?? {
      ...headerList(env.OTEL_EXPORTER_OTLP_HEADERS, 'OTEL_EXPORTER_OTLP_HEADERS'),
      ...headerList(env.OTEL_EXPORTER_OTLP_METRICS_HEADERS, 'OTEL_EXPORTER_OTLP_METRICS_HEADERS'),
    },
    prometheus: {
      host: options.prometheus?.host ?? (env.OTEL_EXPORTER_PROMETHEUS_HOST?.trim() || DEFAULT_PROMETHEUS_HOST),
      port: resolvePort(options.prometheus?.port, env),
    },
  };
}

/** OTEL_METRICS_EXPORTER (or the `exporter` option), by the rule both signals share (shared/exporter-list.ts). */
function resolveExporters(explicit: MetricsConfigOptions['exporter'], env: NodeJS.ProcessEnv): MetricsConfig['exporters'] {
  if (explicit !== undefined) return explicitExporters('exporter', explicit, METRICS_EXPORTERS);
  return exporterList('OTEL_METRICS_EXPORTER', env.OTEL_METRICS_EXPORTER, METRICS_EXPORTERS, DEFAULT_METRICS_EXPORTER);
}

function resolvePort(explicit: number | undefined, env: NodeJS.ProcessEnv): number {
  if (explicit !== undefined) {
    if (!Number.isInteger(explicit) || explicit < 0 || explicit > 65_535) throw new TracingConfigError('prometheus.port', `${explicit} is not a port (0 to 65535)`);
    return explicit;
  }
  const raw = env.OTEL_EXPORTER_PROMETHEUS_PORT?.trim();
  if (!raw) return DEFAULT_PROMETHEUS_PORT;
  const port = Number(raw);
  // A scraper would look for the metrics on the port it was told: a bad one is an error, not a default.
  if (!/^\d+$/.test(raw) || port > 65_535) throw new TracingConfigError('OTEL_EXPORTER_PROMETHEUS_PORT', `${JSON.stringify(raw)} is not a port (0 to 65535)`);
  return port;
}

function explicitInteger(value: number | undefined, setting: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1) throw new TracingConfigError(setting, `${value} is not a positive integer (ms)`);
  return value;
}
