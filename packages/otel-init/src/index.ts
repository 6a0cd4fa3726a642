// The public entry point. What each folder of src/ owns, and the one-way import rule: src/README.md.
export { initTracing, currentTracing } from './tracing/init-tracing';
export type { TracingHandle, TracingOptions } from './tracing/init-tracing';
export { registerTracingHooks, TRACING_HOOK_NAMES } from './tracing/hooks';
export { enableInstrumentations } from './shared/instrumentations';
export { esmHookReady } from './tracing/esm-hook';
export { resolveConfig, SAMPLERS, DEFAULT_BATCH, DEFAULT_ENDPOINT } from './tracing/config';
export type { BatchOptions, ConfigOptions, SamplerName, TracingConfig } from './tracing/config';
export { DEFAULT_SPAN_LIMITS } from './tracing/span-limits';
export type { SpanLimits } from './tracing/span-limits';
export { PROTOCOLS, DEFAULT_PROTOCOL, DEFAULT_ENDPOINTS } from './otlp/protocol';
export type { OtlpProtocol, TlsFiles } from './otlp/protocol';
export type { TracingStats } from './tracing/stats';
export { TracingConfigError } from './shared/errors';
export { ExporterNotInstalledError } from './otlp/errors';
export {
  ATTR_SERVICE_INSTANCE_ID,
  ATTR_PROCESS_PID,
  ATTR_WORKER_INDEX,
  ATTR_WORKER_GENERATION,
  ATTR_WORKER_RUNTIME,
  ATTR_WORKER_ID,
} from './shared/resource-attributes';
export { initMetrics, currentMetrics } from './metrics/init-metrics';
export type { MetricsHandle, MetricsOptions, MetricsRoute } from './metrics/init-metrics';
export { registerMetricsHooks, METRICS_HOOK_NAMES, METRICS_FLUSH_MAX_MS } from './metrics/hooks';
export { resolveMetricsConfig, METRICS_EXPORTERS, DEFAULT_METRICS_EXPORTER, DEFAULT_METRIC_EXPORT_INTERVAL_MS, DEFAULT_METRIC_EXPORT_TIMEOUT_MS, DEFAULT_PROMETHEUS_PORT } from './metrics/config';
export type { MetricsConfig, MetricsConfigOptions, MetricsExporterName } from './metrics/config';
