// The one file that knows the OpenTelemetry SDK: provider, processor, exporter, samplers,
// resource, context manager, propagators. It runs on both SDK lines, whichever the app installed
// (DESIGN.md, "OpenTelemetry versions"): @opentelemetry/sdk-trace 2.12+ (api 1.9, Node 20) and
// 3.x (api 1.10, Node >= 22.15). Both export the same TracerProvider, which has no register()
// and reads no OTEL_* variable: the globals are set here by hand, as 2.x's NodeTracerProvider
// .register() did, and every variable is read by config.ts, so both lines behave the same.
//
// Start-up cost is module loading, so this file loads as little as it can (bench/profile.js):
// - @opentelemetry/resources and @opentelemetry/core are the copies sdk-trace loaded itself (see
//   `fromSdk()` below): sdk-trace pins them exactly, and a second copy is 49 more modules.
// - Over http/protobuf and http/json no exporter package is loaded at all: forkhooks' own processor
//   and sender (otlp/) encode and send. Over gRPC (or with FORKHOOKS_SPAN_PIPELINE=sdk) the official
//   exporter (otlp/exporters.ts) is loaded on the first export, after the worker is ready (deferred-exporter.ts).
import { createRequire } from 'node:module';
import { context, propagation, ROOT_CONTEXT, trace, type Attributes, type TracerProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type * as Core from '@opentelemetry/core';
import { delegateEsmTracerProxy } from './esm-api-bridge';
import type * as Resources from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider as SdkTracerProvider,
  type ReadableSpan,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { defaultServiceName } from '../shared/resource-attributes';
import type { SamplerName, TracingConfig } from './config';
import { DeferredExporter } from './deferred-exporter';
import { createExporter, resolveExporter } from '../otlp/exporters';
import { EncodingSpanProcessor } from './encoding-processor';
import { traceEncoding } from '../otlp/encodings';
import { HttpSender } from '../otlp/http-sender';
import type { SpanCounter } from './stats';

/** When the exporter is loaded if no export needed it before: after start-up, before most stops. */
const EXPORTER_PRELOAD_MS = 1_000;

/** What the rest of otel-init sees of a running SDK. */
export interface Pipeline {
  readonly provider: TracerProvider;
  readonly resourceAttributes: Attributes;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
  /** forkhooks' own pipeline only: its wire format and the bytes it has not sent, for the rescue of a stuck worker (rescue.ts). */
  readonly unsent?: UnsentSource;
}

/** What the rescue of a stuck worker takes from forkhooks' own pipeline. */
export interface UnsentSource {
  contentType: string;
  take(): Array<{ body: Uint8Array; spans: number }>;
}

/**
 * Builds provider + processor + sender, counted by `counter`, and registers it globally with the
 * AsyncLocalStorage context manager and the W3C propagators. Over http/protobuf and http/json that is
 * forkhooks' own pipeline (otlp/); over gRPC, or with FORKHOOKS_SPAN_PIPELINE=sdk, the SDK's
 * BatchSpanProcessor over the protocol's official exporter.
 */
export function startPipeline(config: TracingConfig, attributes: Attributes, counter: SpanCounter): Pipeline {
  // forkhooks' own pipeline, when OTLP goes over it: the rescue of a stuck worker takes its unsent batches.
  const own = config.exporters.includes('otlp') && config.spanPipeline === 'forkhooks' && config.protocol !== 'grpc' ? encodingProcessor(config, config.protocol, counter) : undefined;
  // OTEL_TRACES_EXPORTER (config.ts): none of them for `none`; stats() counts the OTLP pipeline's spans.
  const processors = config.exporters.map((name) =>
    name === 'console' ? new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() }) : (own?.processor ?? batchProcessor(config, counter)),
  );
  // The spec's default service name (unknown_service:node, not the SDK's path), then ours: `attributes`
  // holds OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME, read by otel-init (shared/resource-env.ts: a bad
  // entry is said, not only discarded), and the worker's identity.
  const { defaultResource, resourceFromAttributes } = fromSdk<typeof Resources>('@opentelemetry/resources');
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: defaultServiceName() }))
    .merge(resourceFromAttributes(attributes));
  const provider = new SdkTracerProvider({
    resource,
    sampler: sampler(config.sampler, config.samplerArg),
    // Every limit explicit (config.ts read OTEL_SPAN_*/OTEL_ATTRIBUTE_*): neither line reads them.
    spanLimits: { ...config.spanLimits },
    spanProcessors: processors,
  });
  register(provider);
  return {
    provider,
    resourceAttributes: resource.attributes,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
    unsent: own?.unsent,
  };
}

/**
 * forkhooks' own pipeline (issue 14): spans encoded as they end, sent by forkhooks' OTLP/HTTP sender.
 * No exporter package is loaded (nor resolved: none is needed).
 */
function encodingProcessor(config: TracingConfig, protocol: 'http/protobuf' | 'http/json', counter: SpanCounter): { processor: SpanProcessor; unsent: UnsentSource } {
  const encoding = traceEncoding(protocol);
  const sender = new HttpSender(config, encoding.contentType, (error) => counter.noteError(error), (_rejected, said) => counter.noteRefusal(said));
  const { suppressTracing } = fromSdk<typeof Core>('@opentelemetry/core');
  const processor = new EncodingSpanProcessor({
    encoding,
    send: (body) => sender.send(body),
    stop: () => sender.shutdown(),
    batch: config.batch,
    maxRequestBytes: config.maxRequestBytes,
    counter,
    quiet: suppressTracing(ROOT_CONTEXT),
  });
  return { processor, unsent: { contentType: encoding.contentType, take: () => processor.takeUnsent() } };
}

/** The SDK's BatchSpanProcessor over the protocol's official exporter (gRPC, and FORKHOOKS_SPAN_PIPELINE=sdk). */
function batchProcessor(config: TracingConfig, counter: SpanCounter): SpanProcessor {
  // A missing exporter still fails postfork, as it did when it was loaded here: resolving is cheap.
  const path = resolveExporter(config);
  const exporter = counter.wrap<ReadableSpan>(
    new DeferredExporter(() => createExporter(config, path, (error) => counter.noteError(error))).preloadAfter(EXPORTER_PRELOAD_MS),
  ) as SpanExporter;
  // Both lines take one options object holding the exporter (2.12's sdk-trace already did).
  const batch = new BatchSpanProcessor({ exporter, ...config.batch });
  // The BatchSpanProcessor drops, silently, every span ended once its shutdown began.
  let stopping = false;
  return {
    onStart: (span, parent) => batch.onStart(span, parent),
    onEnd: (span) => {
      // The processor only queues sampled spans; count what it is asked to deliver.
      if (span.spanContext().traceFlags & 1) {
        if (stopping) counter.spanEnded(false, 'after-shutdown');
        else counter.spanEnded();
      }
      batch.onEnd(span);
    },
    forceFlush: () => batch.forceFlush(),
    shutdown: () => {
      stopping = true;
      return batch.shutdown();
    },
  };
}

/**
 * What NodeTracerProvider.register() did on 2.x: the global provider (the ProxyTracerProvider
 * behind tracers taken earlier forwards to it), the AsyncLocalStorage context manager, and the
 * W3C trace-context + baggage propagators.
 */
function register(provider: SdkTracerProvider): void {
  trace.setGlobalTracerProvider(provider);
  delegateEsmTracerProxy(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } = fromSdk<typeof Core>('@opentelemetry/core');
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
}

/**
 * A package sdk-trace depends on (it pins @opentelemetry/core and /resources exactly), as sdk-trace
 * itself loaded it. Where npm did not dedupe it with the app's copy, requiring ours would load a
 * second copy (49 modules, about 15 ms) into every worker before it is ready. Resolved from
 * sdk-trace's folder it is the copy already in memory, and the same one as ours in a deduped
 * install. Our own peer is the fallback; either copy builds what the provider takes.
 */
function fromSdk<T>(name: '@opentelemetry/core' | '@opentelemetry/resources'): T {
  try {
    return createRequire(require.resolve('@opentelemetry/sdk-trace'))(name) as T;
  } catch {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as T;
  }
}

/** Unregisters the global provider, context manager and propagator: for tests that build several in one process. */
export function unregisterGlobalProvider(): void {
  trace.disable();
  context.disable();
  propagation.disable();
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
