// The one file that knows the OpenTelemetry metrics SDK (@opentelemetry/sdk-metrics, 2.x or 3.x,
// the line the app installed, as tracing/sdk.ts for traces): MeterProvider, readers, exporters, and the
// conversion of what a reader collects into core's SDK-free MetricFamily. Loaded in postfork only.
import { createRequire } from 'node:module';
import { describeError, log } from '@forkhooks/core';
import { type MetricFamily, type MetricPoint } from '@forkhooks/core/manager';
import { metrics, type Attributes, type MeterProvider as ApiMeterProvider } from '@opentelemetry/api';
import type * as Prometheus from '@opentelemetry/exporter-prometheus';
import type * as Resources from '@opentelemetry/resources';
import {
  AggregationTemporality,
  ConsoleMetricExporter,
  DataPointType,
  MeterProvider,
  MetricReader,
  PeriodicExportingMetricReader,
  type IMetricReader,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { createOtlpExporter, METRICS_EXPORTER_PACKAGES, resolveExporter } from '../otlp/exporters';
import { LazyExporter } from '../shared/lazy-exporter';
import type { MetricsConfig } from './config';
import type { DeferredMeterProvider } from './deferred-meter-provider';
import { useMeterProvider } from './global-provider';
import { MetricsExportEpisodes } from './export-episodes';

/** What the rest of otel-init sees of a running metrics SDK. */
export interface MeterPipeline {
  readonly provider: ApiMeterProvider;
  /** This worker's metrics now, cumulative, SDK-free (only with `pull`: empty otherwise). */
  snapshot(): Promise<MetricFamily[]>;
  /** Collects and exports now, on every push reader (OTLP, console). */
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** How the worker's metrics leave it, besides the push readers of `config.exporters`. */
export interface PipelineMode {
  /** A reader whose collect() the worker calls when its runCluster primary scrapes it. */
  pull: boolean;
  /** Serve this worker's own Prometheus endpoint on this port (standalone, PM2). */
  prometheusPort?: number;
}

/**
 * Builds the MeterProvider with the tracing resource and its readers, and makes it the global one and
 * the instrumentations' (useMeterProvider). With `deferred` (registered in its place in postfork), it
 * is attached there instead.
 */
export function startMeterPipeline(config: MetricsConfig, attributes: Attributes, mode: PipelineMode, deferred?: DeferredMeterProvider): MeterPipeline {
  const readers: IMetricReader[] = [];
  for (const name of config.exporters) {
    if (name === 'otlp') readers.push(periodic(otlpExporter(config), config));
    if (name === 'console') readers.push(periodic(new ConsoleMetricExporter(), config));
  }
  const pull = mode.pull ? new PullReader() : undefined;
  if (pull) readers.push(pull);
  if (mode.prometheusPort !== undefined) readers.push(prometheusEndpoint(config.prometheus.host, mode.prometheusPort));
  const { resourceFromAttributes } = fromSdk<typeof Resources>('@opentelemetry/resources');
  const provider = new MeterProvider({ resource: resourceFromAttributes(attributes), readers });
  if (deferred) {
    deferred.attach(provider);
  } else {
    useMeterProvider(provider);
  }
  return {
    provider,
    snapshot: async () => {
      if (!pull) return [];
      const { resourceMetrics, errors } = await pull.collect();
      for (const error of errors) log.debug(`metrics collection: ${describeError(error)}`);
      return toFamilies(resourceMetrics);
    },
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/** Unregisters the global meter provider: for tests that build several in one process. */
export function unregisterGlobalMeterProvider(): void {
  metrics.disable();
}

function periodic(exporter: ConstructorParameters<typeof PeriodicExportingMetricReader>[0]['exporter'], config: MetricsConfig): PeriodicExportingMetricReader {
  return new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: config.intervalMillis, exportTimeoutMillis: config.timeoutMillis });
}

function otlpExporter(config: MetricsConfig): PushMetricExporter {
  // A missing exporter fails postfork now (ExporterNotInstalledError), not at the first export: resolving is cheap.
  const path = resolveExporter(config, METRICS_EXPORTER_PACKAGES);
  const episodes = new MetricsExportEpisodes(config);
  return new OtlpMetricExporter(
    () => createOtlpExporter(config, path, 'OTLPMetricExporter', (error) => episodes.noteSocketError(error)) as PushMetricExporter,
    episodes,
  );
}

/**
 * The OTLP exporter, loaded at its first export (the first interval, or the final one at exit), not in
 * postfork (shared/lazy-exporter.ts): it loads http and the OTLP transformer into every worker before
 * it is ready otherwise (the span exporter is deferred for the same reason). Cumulative, the
 * exporter's own default. Every export's outcome goes to `episodes`, which says when exports fail and
 * when they recover; a failed load fails its export, said as any other failure (the reader only tells diag).
 */
class OtlpMetricExporter implements PushMetricExporter {
  readonly #lazy: LazyExporter<PushMetricExporter>;
  constructor(
    create: () => PushMetricExporter,
    private readonly episodes: MetricsExportEpisodes,
  ) {
    this.#lazy = new LazyExporter(create);
  }
  export(...[metrics, done]: Parameters<PushMetricExporter['export']>): void {
    const settle: typeof done = (result) => {
      this.episodes.settled(result);
      done(result);
    };
    this.#lazy.export((exporter) => exporter.export(metrics, settle), settle);
  }
  forceFlush(): Promise<void> {
    return this.#lazy.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.#lazy.shutdown();
  }
  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }
}

function prometheusEndpoint(host: string, port: number): IMetricReader {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PrometheusExporter } = require('@opentelemetry/exporter-prometheus') as typeof Prometheus;
  return new PrometheusExporter({ host, port }, (error) => {
    if (error) log.error(`the Prometheus endpoint could not listen on ${host}:${port}: ${describeError(error)}; set OTEL_EXPORTER_PROMETHEUS_PORT to a free port`);
    else log.debug(`serving this worker's metrics at http://${host}:${port}/metrics`);
  });
}

/** A reader that only collects when asked: what a runCluster scrape reads. */
class PullReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** Cumulative SDK data into SDK-free families, one per metric name (scopes merged). */
export function toFamilies(resourceMetrics: ResourceMetrics): MetricFamily[] {
  const byName = new Map<string, MetricFamily>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      const { name, description, unit } = metric.descriptor;
      let type: MetricFamily['type'];
      let points: MetricPoint[];
      if (metric.dataPointType === DataPointType.SUM || metric.dataPointType === DataPointType.GAUGE) {
        // An up-down counter can go down: it is a gauge to Prometheus, kept per worker.
        type = metric.dataPointType === DataPointType.SUM && metric.isMonotonic ? 'counter' : 'gauge';
        points = metric.dataPoints.map((p) => ({ labels: labels(p.attributes), value: p.value }));
      } else if (metric.dataPointType === DataPointType.HISTOGRAM) {
        type = 'histogram';
        points = metric.dataPoints.map((p) => ({
          labels: labels(p.attributes),
          histogram: { bounds: [...p.value.buckets.boundaries], counts: [...p.value.buckets.counts], sum: p.value.sum ?? 0, count: p.value.count },
        }));
      } else {
        log.debug(`metric ${name}: exponential histograms are not merged for Prometheus; configure explicit buckets`);
        continue;
      }
      const family = byName.get(name);
      if (family) family.points.push(...points);
      else byName.set(name, { name, help: description, unit, type, points });
    }
  }
  return [...byName.values()];
}

function labels(attributes: Attributes): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) out[key] = Array.isArray(value) ? JSON.stringify(value) : String(value);
  return out;
}

/** @opentelemetry/resources as sdk-metrics loaded it (it pins it exactly: see tracing/sdk.ts's fromSdk). */
function fromSdk<T>(name: '@opentelemetry/resources'): T {
  try {
    return createRequire(require.resolve('@opentelemetry/sdk-metrics'))(name) as T;
  } catch {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as T;
  }
}
