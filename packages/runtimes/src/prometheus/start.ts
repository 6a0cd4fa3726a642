import { describeError } from '@forkhooks/core';
import { log } from '../log';
import { ClusterMetricsEndpoint, type ScrapeTarget } from './cluster-endpoint';
import { clusterMetricsOptions } from './config';

/**
 * The cluster's /metrics when OTEL_METRICS_EXPORTER names `prometheus` (undefined otherwise). A port
 * it cannot listen on is logged, naming the variable: the workers serve on, unscraped.
 */
export function startClusterMetrics(targets: () => ScrapeTarget[]): ClusterMetricsEndpoint | undefined {
  const options = clusterMetricsOptions();
  if (!options) return undefined;
  const endpoint = new ClusterMetricsEndpoint(options, targets);
  endpoint.listen().then(
    (url) => log.info(`cluster metrics at ${url} (merged from every worker at each scrape)`),
    (error: unknown) =>
      log.error(`the cluster /metrics could not listen on ${options.host}:${options.port}: ${describeError(error)}; set OTEL_EXPORTER_PROMETHEUS_PORT (and _HOST) to a free address`),
  );
  return endpoint;
}
