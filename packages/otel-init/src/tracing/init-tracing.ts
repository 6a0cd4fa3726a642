import cluster from 'node:cluster';
import { log, redactUrl } from '@forkhooks/core';
import { buildContext, type BaseContext } from '@forkhooks/core/manager';
import { trace, type Attributes, type TracerProvider } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { bounded } from '../shared/bounded';
import { enableInstrumentations } from '../shared/instrumentations';
import { once } from '../shared/once';
import { workerAttributes } from '../shared/resource-attributes';
import { resolveConfig, type ConfigOptions } from './config';
import { countedSpans, reportFlush } from './lost-spans';
import { registerTracingRescue } from './rescue';
import type * as Sdk from './sdk';
import type { Pipeline } from './sdk';
import type { SpanCounter, TracingStats } from './stats';

/** Options of `initTracing`; each falls back to the standard OTEL_* variable, then to the spec default. */
export interface TracingOptions extends ConfigOptions {
  /** Extra resource attributes (OTEL_RESOURCE_ATTRIBUTES is merged too). */
  resourceAttributes?: Attributes;
  /**
   * Instrumentations to enable now, also when tracing was set up already. Modules the app loaded
   * before are not patched (one warning names them): enable instrumentations before the app's
   * imports instead, with `enableInstrumentations` in a file imported first, or
   * OTEL_NODE_ENABLED_INSTRUMENTATIONS with `register`.
   */
  instrumentations?: Instrumentation[];
  /** The worker this runs in: pass the postfork hook's ctx. Default: detected. */
  context?: BaseContext;
}

/** What `initTracing` returns: the worker's tracing, its flush, and its counts. */
export interface TracingHandle {
  /** The registered global provider (an SDK TracerProvider; typed by the API so SDK types stay inside). */
  readonly provider: TracerProvider;
  /**
   * The traces URL spans are posted to, as configured: it may hold user info or an API key in its
   * query. forkhooks prints only `redactUrl(endpoint)`; do the same when you print it.
   */
  readonly endpoint: string;
  /** This worker's resource attributes, `service.instance.id` included. */
  readonly resourceAttributes: Attributes;
  /** false when OTEL_SDK_DISABLED=true (or `disabled: true`): nothing is recorded. */
  readonly enabled: boolean;
  /** Exports what is queued now. */
  forceFlush(): Promise<void>;
  /**
   * Flushes and stops, bounded by `signal` (an atexit hook's ctx.signal) and the export timeout:
   * it resolves, never hangs an exit, even with the collector down. Idempotent.
   */
  shutdown(signal?: AbortSignal): Promise<void>;
  /** Spans ended, exported, dropped and pending, and failed exports, counted for real. */
  stats(): TracingStats;
}

const HANDLE_KEY = Symbol.for('forkhooks.otel-init.handle');
const holder = globalThis as typeof globalThis & { [HANDLE_KEY]?: { handle: TracingHandle; options: string } };

/**
 * Sets up this worker's tracing: a TracerProvider registered globally, the span pipeline of the
 * chosen protocol (OTEL_EXPORTER_OTLP_PROTOCOL: over OTLP/HTTP forkhooks' own processor and sender,
 * over gRPC a BatchSpanProcessor over the official exporter), and a resource naming this worker. Call it in postfork (or import
 * '@forkhooks/otel-init/register'). A second call returns the same handle.
 */
export function initTracing(options: TracingOptions = {}): TracingHandle {
  // Instrumentations are not part of the setup: a later call's are enabled too (register + a postfork
  // initTracing({ instrumentations }) must not drop them), with the late-load warning if due.
  const fingerprint = JSON.stringify({ ...options, context: undefined, instrumentations: undefined });
  const existing = holder[HANDLE_KEY];
  if (existing) {
    if (options.instrumentations?.length) enableInstrumentations(options.instrumentations, 'initTracing');
    if (existing.options !== fingerprint) log.warn('initTracing was called again with different options; keeping the first setup (one provider per process)');
    return existing.handle;
  }
  warnIfPrimary();
  const config = resolveConfig(options);
  const context = options.context ?? buildContext();
  if (options.instrumentations?.length) enableInstrumentations(options.instrumentations, 'initTracing');

  const shown = redactUrl(config.endpoint);
  const counter = countedSpans(config);
  const handle = config.disabled
    ? disabledHandle(config.endpoint, counter)
    : liveHandle(startSdk(config, workerAttributes(context, config.serviceName, options.resourceAttributes), counter), config, counter);
  holder[HANDLE_KEY] = { handle, options: fingerprint };
  log.debug(`tracing to ${shown} over ${config.protocol} (${config.disabled ? 'disabled by OTEL_SDK_DISABLED' : `sampler ${config.sampler}`})`);
  return handle;
}

/** The handle of this process, if initTracing ran. */
export function currentTracing(): TracingHandle | undefined {
  return holder[HANDLE_KEY]?.handle;
}

function startSdk(config: ReturnType<typeof resolveConfig>, attributes: Attributes, counter: SpanCounter): Pipeline {
  // Loaded here, not at import: the SDK and exporter cost start-up time and memory that a
  // primary, or a process with tracing disabled, never needs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('./sdk') as typeof Sdk;
  return sdk.startPipeline(config, attributes, counter);
}

function liveHandle(pipeline: Pipeline, config: ReturnType<typeof resolveConfig>, counter: SpanCounter): TracingHandle {
  let stopping: Promise<void> | undefined;
  registerTracingRescue(config, counter, pipeline.unsent);
  return {
    provider: pipeline.provider,
    endpoint: config.endpoint,
    resourceAttributes: pipeline.resourceAttributes,
    enabled: true,
    forceFlush: () => pipeline.forceFlush(),
    shutdown(signal) {
      if (stopping) return stopping;
      const before = counter.mark();
      stopping = bounded(pipeline.shutdown(), config.batch.exportTimeoutMillis, signal).then((outcome) => {
        counter.close();
        reportFlush(outcome, counter, before, config);
      });
      return stopping;
    },
    stats: () => counter.snapshot(),
  };
}

function disabledHandle(endpoint: string, counter: SpanCounter): TracingHandle {
  return {
    provider: trace.getTracerProvider(),
    endpoint,
    resourceAttributes: {},
    enabled: false,
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
    stats: () => counter.snapshot(),
  };
}

const primaryWarning = once();
function warnIfPrimary(): void {
  if (!cluster.isPrimary) return;
  const warn = (): void => {
    if (!primaryWarning()) return;
    log.warn('initTracing ran in a cluster primary: forked workers do not inherit its provider; call it in a @postfork hook (or import @forkhooks/otel-init/register)');
  };
  if (Object.keys(cluster.workers ?? {}).length > 0) warn();
  else cluster.once('fork', warn);
}
