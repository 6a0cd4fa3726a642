export { initTracing, currentTracing } from './init-tracing';
export type { TracingHandle, TracingOptions } from './init-tracing';
export { registerTracingHooks, TRACING_HOOK_NAMES } from './hooks';
export { enableInstrumentations } from './instrumentations';
export { esmHookReady } from './esm-hook';
export { resolveConfig, SAMPLERS, DEFAULT_BATCH, DEFAULT_ENDPOINT, DEFAULT_SPAN_LIMITS } from './config';
export type { BatchOptions, ConfigOptions, SamplerName, SpanLimits, TracingConfig } from './config';
export { PROTOCOLS, DEFAULT_PROTOCOL, DEFAULT_ENDPOINTS } from './protocol';
export type { OtlpProtocol, TlsFiles } from './protocol';
export type { TracingStats } from './stats';
export { TracingConfigError, ExporterNotInstalledError } from './errors';
export {
  ATTR_SERVICE_INSTANCE_ID,
  ATTR_PROCESS_PID,
  ATTR_WORKER_INDEX,
  ATTR_WORKER_GENERATION,
  ATTR_WORKER_RUNTIME,
  ATTR_WORKER_ID,
} from './resource-attributes';
export { initMetrics, currentMetrics } from './metrics/init-metrics';
export type { MetricsHandle, MetricsOptions, MetricsRoute } from './metrics/init-metrics';
export { registerMetricsHooks, METRICS_HOOK_NAMES, METRICS_FLUSH_MAX_MS } from './metrics/hooks';
export { resolveMetricsConfig, METRICS_EXPORTERS, DEFAULT_METRICS_EXPORTER, DEFAULT_METRIC_EXPORT_INTERVAL_MS, DEFAULT_METRIC_EXPORT_TIMEOUT_MS, DEFAULT_PROMETHEUS_PORT } from './metrics/config';
export type { MetricsConfig, MetricsConfigOptions, MetricsExporterName } from './metrics/config';
