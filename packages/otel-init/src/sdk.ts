// The one file that knows the OpenTelemetry SDK 2.x: provider, processor, exporter, samplers,
// resource. A move to the 3.x SDK (no NodeTracerProvider.register, no OTEL_BSP_* reading)
// changes this file only.
//
// Start-up cost is module loading, so this file loads as little as it can (bench/profile.js):
// - Everything of the SDK comes from @opentelemetry/sdk-trace-node, which re-exports
//   sdk-trace-base's processor, samplers and types. Importing sdk-trace-base directly as well
//   loads a second copy of sdk-trace-base and sdk-trace whenever npm did not dedupe them (it
//   does not with the pinned 2.12.0/2.12.1 mix: 33 more modules in every worker).
// - @opentelemetry/resources is the copy the provider loaded itself (see `resources()` below).
// - The OTLP exporter is loaded on the first export, after the worker is ready (deferred-exporter.ts).
import type * as Http from 'node:http';
import type { Agent } from 'node:http';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { trace, type Attributes, type TracerProvider } from '@opentelemetry/api';
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as Resources from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type ReadableSpan,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import type { SamplerName, TracingConfig } from './config';
import { DeferredExporter } from './deferred-exporter';
import type { SpanCounter } from './stats';

/** When the exporter is loaded if no export needed it before: after start-up, before most stops. */
const EXPORTER_PRELOAD_MS = 1_000;

/** What the rest of otel-init sees of a running SDK. */
export interface Pipeline {
  readonly provider: TracerProvider;
  readonly resourceAttributes: Attributes;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Builds provider + BatchSpanProcessor + OTLP/HTTP exporter, counted by `counter`, and registers it globally. */
export function startPipeline(config: TracingConfig, attributes: Attributes, counter: SpanCounter): Pipeline {
  // A missing exporter still fails postfork, as it did when it was loaded here: resolving is cheap.
  require.resolve('@opentelemetry/exporter-trace-otlp-http');
  const exporter = counter.wrap<ReadableSpan>(
    new DeferredExporter(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttp;
      return new OTLPTraceExporter({
        url: config.endpoint,
        headers: config.headers,
        timeoutMillis: config.exporterTimeoutMillis,
        httpAgentOptions: (protocol) => watchedAgent(protocol, (error) => counter.noteError(error)),
      });
    }).preloadAfter(EXPORTER_PRELOAD_MS),
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
  const { defaultResource, detectResources, envDetector, resourceFromAttributes } = resources();
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

/**
 * @opentelemetry/resources as the provider itself loaded it. Where npm did not dedupe the SDK
 * packages (here: sdk-trace-node pins 2.12.0, our other OTel dependencies are 2.12.1), requiring our
 * own copy loads a second resources and a second @opentelemetry/core (49 modules, about 15 ms)
 * into every worker before it is ready. Resolved from sdk-trace-node's folder it is the copy
 * already in memory, and the same one as ours in a deduped install. Our own dependency is the
 * fallback; either copy builds a Resource the provider takes.
 */
function resources(): typeof Resources {
  try {
    return createRequire(require.resolve('@opentelemetry/sdk-trace-node'))('@opentelemetry/resources') as typeof Resources;
  } catch {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@opentelemetry/resources') as typeof Resources;
  }
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

/**
 * The exporter's own agent (keep-alive, as its default), whose connection errors are noted: the
 * exporter retries a refused connection silently until its timeout, and a flush cut off before
 * then would otherwise have no cause to report (`connect ECONNREFUSED …`).
 */
function watchedAgent(protocol: string, onError: (error: Error) => void): Agent {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Agent: AgentClass } = (protocol === 'http:' ? require('node:http') : require('node:https')) as typeof Http;
  const agent = new AgentClass({ keepAlive: true });
  const create = agent.createConnection.bind(agent) as (...args: unknown[]) => Socket;
  agent.createConnection = ((...args: unknown[]) => {
    const socket = create(...args);
    socket.on('error', onError);
    return socket;
  }) as Agent['createConnection'];
  return agent;
}
