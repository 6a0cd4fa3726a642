import { InvalidEnvironmentError, envInteger } from '@forkhooks/core';
import type { ClusterMetricsOptions } from './cluster-endpoint';

/** How long a scrape of the cluster's /metrics waits for the workers, unless FORKHOOKS_METRICS_SCRAPE_TIMEOUT_MS says otherwise. */
export const DEFAULT_SCRAPE_TIMEOUT_MS = 2_000;

/**
 * The cluster's /metrics settings from the standard variables, or undefined when
 * OTEL_METRICS_EXPORTER does not name `prometheus` (otel-init's worker side reads the same ones and
 * reports bad values by name).
 */
export function clusterMetricsOptions(env: NodeJS.ProcessEnv = process.env): ClusterMetricsOptions | undefined {
  const exporters = (env.OTEL_METRICS_EXPORTER ?? '').split(',').map((n) => n.trim().toLowerCase());
  if (!exporters.includes('prometheus') || exporters.includes('none') || env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const port = envInteger(env, 'OTEL_EXPORTER_PROMETHEUS_PORT') ?? 9464;
  if (port > 65_535) throw new InvalidEnvironmentError('OTEL_EXPORTER_PROMETHEUS_PORT', String(port), 'a port (0 to 65535)');
  return {
    host: env.OTEL_EXPORTER_PROMETHEUS_HOST?.trim() || '0.0.0.0',
    port,
    scrapeTimeoutMs: envInteger(env, 'FORKHOOKS_METRICS_SCRAPE_TIMEOUT_MS', 1) ?? DEFAULT_SCRAPE_TIMEOUT_MS,
  };
}
