// The one file that knows the OpenTelemetry SDK 2.x: provider, processor, exporter, samplers,
// resource. A move to the 3.x SDK (no NodeTracerProvider.register, no OTEL_BSP_* reading)
// changes this file only.
import { trace, type Attributes, type TracerProvider } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type ReadableSpan,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { SamplerName, TracingConfig } from './config';
import type { SpanCounter } from './stats';

/** What the rest of otel-init sees of a running SDK. */
export interface Pipeline {
  readonly provider: TracerProvider;
  readonly resourceAttributes: Attributes;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Builds provider + BatchSpanProcessor + OTLP/HTTP exporter, counted by `counter`, and registers it globally. */
export function startPipeline(config: TracingConfig, attributes: Attributes, counter: SpanCounter): Pipeline {
  const exporter = counter.wrap<ReadableSpan>(
    new OTLPTraceExporter({ url: config.endpoint, headers: config.headers }),
  ) as SpanExporter;
  const batch = new BatchSpanProcessor(exporter, config.batch);
  const counting: SpanProcessor = {
    onStart: (span, parent) => batch.onStart(span, parent),
    onEnd: (span) => {
      // The processor only queues sampled spans; count what it is asked to deliver.
      if (span.spanContext().traceFlags & 1) counter.spanEnded();
      batch.onEnd(span);
    },
    forceFlush: () => batch.forceFlush(),
    shutdown: () => batch.shutdown(),
  };
  // OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME (envDetector), then ours: the worker's identity wins.
  const resource = defaultResource()
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(resourceFromAttributes(attributes));
  const provider = new NodeTracerProvider({ resource, sampler: sampler(config.sampler, config.samplerArg), spanProcessors: [counting] });
  // Sets the global provider (the ProxyTracerProvider behind tracers taken earlier forwards to it),
  // the AsyncLocalStorage context manager and the W3C propagators.
  provider.register();
  return {
    provider,
    resourceAttributes: resource.attributes,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/** Unregisters the global provider: for tests that build several in one process. */
export function unregisterGlobalProvider(): void {
  trace.disable();
}

function sampler(name: SamplerName, arg: number | undefined): Sampler {
  const ratio = new TraceIdRatioBasedSampler(arg ?? 1);
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}
