import cluster from 'node:cluster';
import { EnvVars, log, redactUrl } from '@forkhooks/core';
import { buildContext, workerMarkers, type BaseContext, type MetricFamily } from '@forkhooks/core/manager';
import { metrics, type Attributes, type MeterProvider } from '@opentelemetry/api';
import { bounded } from '../shared/bounded';
import { booleanFlag } from '../shared/env';
import { workerAttributes } from '../shared/resource-attributes';
import { tracingResource } from '../tracing/seam';
import { resolveMetricsConfig, type MetricsConfig, type MetricsConfigOptions } from './config';
import { deferredMeterPipeline, startMeterPipelineNow } from './deferred-pipeline';
import type { MeterPipeline } from './metrics-sdk';
import { reportMetricsFlush } from './export-episodes';
import { answerMetricsRequests, sendFinalSnapshot } from './worker-ipc';

/** Options of `initMetrics`; each falls back to the standard OTEL_* variable, then to the spec default. */
export interface MetricsOptions extends MetricsConfigOptions {
  /** Default: OTEL_SERVICE_NAME. Ignored when tracing runs: metrics take its resource. */
  serviceName?: string;
  /** Extra resource attributes, when tracing does not run in this process. */
  resourceAttributes?: Attributes;
  /** false: no metrics (as OTEL_SDK_DISABLED=true). */
  disabled?: boolean;
  /** The worker this runs in: pass the postfork hook's ctx. Default: detected. */
  context?: BaseContext;
}

/** How this worker's metrics leave it. */
export type MetricsRoute =
  /** Nothing is recorded (OTEL_METRICS_EXPORTER=none, OTEL_SDK_DISABLED=true). */
  | 'off'
  /** Pushed (OTLP, console) only. */
  | 'push'
  /** Scraped by the runCluster primary over IPC, which serves one /metrics for the cluster. */
  | 'cluster'
  /** This worker serves its own /metrics on OTEL_EXPORTER_PROMETHEUS_PORT + its slot (standalone, PM2, child_process, threads). */
  | 'own-endpoint';

/** What `initMetrics` returns. */
export interface MetricsHandle {
  /** The global MeterProvider (typed by the API): the SDK's, or a stand-in that forwards to it once it loaded after start-up. */
  readonly provider: MeterProvider;
  readonly enabled: boolean;
  readonly config: MetricsConfig;
  readonly route: MetricsRoute;
  /** With route 'own-endpoint': where this worker's /metrics is. */
  readonly prometheusUrl: string | undefined;
  /** This worker's metrics now, cumulative (route 'cluster' only; empty otherwise). */
  snapshot(): Promise<MetricFamily[]>;
  /** Collects and exports now (OTLP, console). */
  forceFlush(): Promise<void>;
  /**
   * The final collection: the last snapshot to the primary (route 'cluster'), the last OTLP export,
   * then a stop; bounded by `signal` and the export timeout, never rejects. Idempotent.
   */
  shutdown(signal?: AbortSignal): Promise<void>;
}

const HANDLE_KEY = Symbol.for('forkhooks.otel-init.metrics');
const holder = globalThis as typeof globalThis & { [HANDLE_KEY]?: MetricsHandle };

/**
 * Sets up this worker's metrics: a MeterProvider with the tracing resource (`service.instance.id`
 * and the forkhooks.worker.* attributes), registered globally and given to the instrumentations
 * enabled at import, with the readers OTEL_METRICS_EXPORTER names. Call it in postfork, after
 * initTracing (or import '@forkhooks/otel-init/register'). A second call returns the same handle.
 */
export function initMetrics(options: MetricsOptions = {}): MetricsHandle {
  const existing = holder[HANDLE_KEY];
  if (existing) return existing;
  const config = resolveMetricsConfig(options);
  const context = options.context ?? buildContext();
  const disabled = options.disabled ?? booleanFlag(process.env, 'OTEL_SDK_DISABLED');
  const route = routeOf(config, disabled, context);
  if (route === 'off') return (holder[HANDLE_KEY] = offHandle(config));
  const attributes = tracingResource() ?? workerAttributes(context, options.serviceName ?? (process.env.OTEL_SERVICE_NAME?.trim() || undefined), options.resourceAttributes);
  const port = route === 'own-endpoint' ? config.prometheus.port + context.workerIndex : undefined;
  // Not at import: a primary, or a process with metrics off, never needs the SDK. A worker serving its
  // own /metrics loads it now; the others after start-up (deferred-pipeline.ts).
  const mode = { pull: route === 'cluster', ...(port !== undefined && { prometheusPort: port }) };
  const pipeline = route === 'own-endpoint' ? startMeterPipelineNow(config, attributes, mode) : deferredMeterPipeline(config, attributes, mode);
  const source = { snapshot: () => pipeline.snapshot(), workerIndex: context.workerIndex };
  const stopAnswering = route === 'cluster' ? answerMetricsRequests(source) : undefined;
  const handle = liveHandle(pipeline, config, route, port, async () => {
    stopAnswering?.();
    if (route === 'cluster') await sendFinalSnapshot(source, 1_000);
  });
  log.debug(`metrics: ${route}${config.exporters.includes('otlp') ? `, OTLP (${config.protocol}) to ${redactUrl(config.endpoint)} every ${config.intervalMillis} ms` : ''}`);
  return (holder[HANDLE_KEY] = handle);
}

/** The handle of this process, if initMetrics ran. */
export function currentMetrics(): MetricsHandle | undefined {
  return holder[HANDLE_KEY];
}

function routeOf(config: MetricsConfig, disabled: boolean, context: BaseContext): MetricsRoute {
  if (disabled || config.exporters.length === 0) return 'off';
  if (!config.exporters.includes('prometheus')) return 'push';
  // A runCluster primary serves the cluster's /metrics: it set FORKHOOKS_RUNTIME=cluster for its workers.
  const underRunCluster = cluster.isWorker && context.runtime === 'cluster' && workerMarkers()[EnvVars.RUNTIME] === 'cluster' && typeof process.send === 'function';
  return underRunCluster ? 'cluster' : 'own-endpoint';
}

function liveHandle(pipeline: MeterPipeline, config: MetricsConfig, route: MetricsRoute, port: number | undefined, beforeStop: () => Promise<void>): MetricsHandle {
  let stopping: Promise<void> | undefined;
  const host = config.prometheus.host === '0.0.0.0' ? 'localhost' : config.prometheus.host;
  return {
    provider: pipeline.provider,
    enabled: true,
    config,
    route,
    prometheusUrl: port === undefined ? undefined : `http://${host}:${port}/metrics`,
    snapshot: () => pipeline.snapshot(),
    forceFlush: () => pipeline.forceFlush(),
    shutdown(signal) {
      if (stopping) return stopping;
      const work = beforeStop().then(() => pipeline.shutdown());
      stopping = bounded(work, config.timeoutMillis, signal).then((outcome) => reportMetricsFlush(outcome, work, config));
      return stopping;
    },
  };
}

function offHandle(config: MetricsConfig): MetricsHandle {
  return {
    provider: metrics.getMeterProvider(),
    enabled: false,
    config,
    route: 'off',
    prometheusUrl: undefined,
    snapshot: () => Promise.resolve([]),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}
