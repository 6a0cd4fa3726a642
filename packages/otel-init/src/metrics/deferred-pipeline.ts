import { describeError, log } from '@forkhooks/core';
import type { Attributes } from '@opentelemetry/api';
import { METRICS_EXPORTER_PACKAGES, resolveExporter } from '../otlp/exporters';
import type { MetricsConfig } from './config';
import { DeferredMeterProvider } from './deferred-meter-provider';
import { useMeterProvider } from './global-provider';
import type * as MetricsSdk from './metrics-sdk';
import type { MeterPipeline, PipelineMode } from './metrics-sdk';

// The metrics SDK (sdk-metrics, 55 modules: about 7 ms of wall time and 19 ms of CPU before a
// worker is ready, measured with bench/startup-modules.js) is not needed before the first
// collection. Only a worker serving its own /metrics endpoint loads it in postfork: the endpoint
// must listen from the start.

/** When the metrics SDK is loaded if nothing needed it before: after start-up, as the span exporter (tracing/sdk.ts). */
export const METRICS_SDK_LOAD_MS = 1_000;

function sdk(): typeof MetricsSdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./metrics-sdk') as typeof MetricsSdk;
}

/** The SDK's pipeline, started now. */
export function startMeterPipelineNow(config: MetricsConfig, attributes: Attributes, mode: PipelineMode): MeterPipeline {
  return sdk().startMeterPipeline(config, attributes, mode);
}

/**
 * A pipeline whose SDK loads after start-up: a DeferredMeterProvider is registered globally and given
 * to the instrumentations now, and keeps what they record; the SDK is loaded METRICS_SDK_LOAD_MS later,
 * or as soon as a collection, flush or stop needs it, or 10,000 measurements wait, and gets all of it.
 */
export function deferredMeterPipeline(config: MetricsConfig, attributes: Attributes, mode: PipelineMode): MeterPipeline {
  // A missing exporter package fails postfork now, as when the SDK was loaded here: resolving is cheap.
  if (config.exporters.includes('otlp')) resolveExporter(config, METRICS_EXPORTER_PACKAGES);
  let pipeline: MeterPipeline | undefined;
  const start = (): MeterPipeline => (pipeline ??= sdk().startMeterPipeline(config, attributes, mode, provider));
  const startSoon = (): void => {
    try {
      start();
    } catch (error) {
      // Said once here; each collection, flush or stop after it tries again and fails with the same error.
      log.warn(`the metrics SDK could not start: ${describeError(error)}; no metrics are exported until it does`);
    }
  };
  // Off the call that recorded the 10,000th measurement: it may be a request's.
  const provider = new DeferredMeterProvider(() => void setImmediate(startSoon));
  useMeterProvider(provider);
  setTimeout(() => pipeline ?? startSoon(), METRICS_SDK_LOAD_MS).unref();
  const started = (): Promise<MeterPipeline> => new Promise((resolve) => resolve(start()));
  return {
    provider,
    snapshot: () => started().then((p) => p.snapshot()),
    forceFlush: () => started().then((p) => p.forceFlush()),
    shutdown: () => started().then((p) => p.shutdown()),
  };
}
