import { headerList, positiveInteger, booleanFlag } from '../shared/env';
import { TracingConfigError } from '../shared/errors';
import { exporterList } from '../shared/exporter-list';
import { warnOnce } from '../shared/once';
import { resolveMaxRequestBytes } from './request-limit';
import { resolveSpanLimits, type SpanLimits } from './span-limits';
import {
  DEFAULT_ENDPOINTS,
  DEFAULT_PROTOCOL,
  resolveCompression,
  resolveEndpoint,
  resolveProtocol,
  resolveTls,
  type OtlpProtocol,
  type OtlpTransport,
} from '../otlp/protocol';

/** The OTel sampler names of OTEL_TRACES_SAMPLER that the SDK implements. */
export const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;
/** One of SAMPLERS. */
export type SamplerName = (typeof SAMPLERS)[number];

/** The values OTEL_TRACES_EXPORTER takes that otel-init implements (the spec's `zipkin` is not one). */
export const TRACES_EXPORTERS = ['otlp', 'console', 'none'] as const;
/** One of TRACES_EXPORTERS. */
export type TracesExporterName = (typeof TRACES_EXPORTERS)[number];
/** When OTEL_TRACES_EXPORTER is unset, or names nothing known: `otlp`, as the spec and NodeSDK say. */
export const DEFAULT_TRACES_EXPORTER: TracesExporterName = 'otlp';

/** BatchSpanProcessor settings (OTEL_BSP_*). */
export interface BatchOptions {
  scheduledDelayMillis?: number;
  maxQueueSize?: number;
  maxExportBatchSize?: number;
  exportTimeoutMillis?: number;
}

/** The values of FORKHOOKS_SPAN_PIPELINE: forkhooks' own processor and sender (default), or the SDK's BatchSpanProcessor + official exporter. */
export const SPAN_PIPELINES = ['forkhooks', 'sdk'] as const;
/** One of SPAN_PIPELINES. */
export type SpanPipeline = (typeof SPAN_PIPELINES)[number];

/** Tracing settings after options, environment and defaults were applied. */
export interface TracingConfig extends OtlpTransport {
  disabled: boolean;
  /**
   * OTEL_TRACES_EXPORTER: where ended spans go. `otlp` (the span pipeline below), `console` (the
   * SDK's ConsoleSpanExporter, one span at a time, as NodeSDK does); empty for `none`.
   */
  exporters: Exclude<TracesExporterName, 'none'>[];
  /**
   * FORKHOOKS_SPAN_PIPELINE: `forkhooks` encodes spans as they end and sends them itself over
   * http/protobuf and http/json (gRPC always goes through the official exporter); `sdk` puts every
   * protocol on the SDK's BatchSpanProcessor and the official exporter.
   */
  spanPipeline: SpanPipeline;
  serviceName: string | undefined;
  sampler: SamplerName;
  samplerArg: number | undefined;
  batch: Required<BatchOptions>;
  spanLimits: SpanLimits;
  /**
   * The exporter's HTTP timeout: OTEL_EXPORTER_OTLP_TRACES_TIMEOUT, else OTEL_EXPORTER_OTLP_TIMEOUT, else
   * 10 s, and never more than batch.exportTimeoutMillis: the processor gives up on an export at that
   * time, so a request that outlived it would fail or succeed where nobody counts it.
   */
  exporterTimeoutMillis: number;
  /** FORKHOOKS_OTLP_MAX_REQUEST_BYTES: the largest request body of forkhooks' span pipeline (request-limit.ts). */
  maxRequestBytes: number;
}

/** What a caller may set; everything falls back to the standard OpenTelemetry variables. */
export interface ConfigOptions {
  serviceName?: string;
  /** `grpc`, `http/protobuf` (the default) or `http/json` (as OTEL_EXPORTER_OTLP_TRACES_PROTOCOL). */
  protocol?: OtlpProtocol;
  /** Full URL of the traces endpoint (as OTEL_EXPORTER_OTLP_TRACES_ENDPOINT). */
  endpoint?: string;
  headers?: Record<string, string>;
  /** `gzip` or `none` (as OTEL_EXPORTER_OTLP_TRACES_COMPRESSION). */
  compression?: 'gzip' | 'none';
  sampler?: SamplerName;
  samplerArg?: number;
  batch?: BatchOptions;
  disabled?: boolean;
}

/** The spec's defaults, kept: users know them, and OTEL_BSP_* overrides them. */
export const DEFAULT_BATCH: Required<BatchOptions> = {
  scheduledDelayMillis: 5_000,
  maxQueueSize: 2_048,
  maxExportBatchSize: 512,
  exportTimeoutMillis: 30_000,
};
/** Where spans go when nothing says otherwise: a local collector's OTLP/HTTP port (4317 with protocol grpc). */
export const DEFAULT_ENDPOINT = DEFAULT_ENDPOINTS[DEFAULT_PROTOCOL];

/** Applies options, then OTEL_* variables, then defaults; throws TracingConfigError where spans would go nowhere. */
export function resolveConfig(options: ConfigOptions = {}, env: NodeJS.ProcessEnv = process.env): TracingConfig {
  const { protocol, protocolSetting } = resolveProtocol(options.protocol, env);
  return {
    disabled: options.disabled ?? booleanFlag(env, 'OTEL_SDK_DISABLED'),
    exporters: exporterList('OTEL_TRACES_EXPORTER', env.OTEL_TRACES_EXPORTER, TRACES_EXPORTERS, DEFAULT_TRACES_EXPORTER),
    spanPipeline: resolveSpanPipeline(env),
    serviceName: options.serviceName ?? (env.OTEL_SERVICE_NAME?.trim() || undefined),
    protocol,
    protocolSetting,
    endpoint: resolveEndpoint(protocol, options.endpoint, env),
    compression: resolveCompression(options.compression, env),
    tls: resolveTls(env),
    headers: options.headers ?? {
      ...headerList(env.OTEL_EXPORTER_OTLP_HEADERS, 'OTEL_EXPORTER_OTLP_HEADERS'),
      ...headerList(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'),
    },
    ...resolveSampler(options, env),
    ...resolveTimeouts(options.batch ?? {}, env),
    spanLimits: resolveSpanLimits(env),
    maxRequestBytes: resolveMaxRequestBytes(env),
  };
}

/** FORKHOOKS_SPAN_PIPELINE; a value that is neither is an error (it would silently pick a pipeline the user did not mean). */
function resolveSpanPipeline(env: NodeJS.ProcessEnv): SpanPipeline {
  const raw = env.FORKHOOKS_SPAN_PIPELINE?.trim();
  if (raw === undefined || raw === '') return 'forkhooks';
  if ((SPAN_PIPELINES as readonly string[]).includes(raw)) return raw as SpanPipeline;
  throw new TracingConfigError('FORKHOOKS_SPAN_PIPELINE', `${JSON.stringify(env.FORKHOOKS_SPAN_PIPELINE)} is not a span pipeline; use one of ${SPAN_PIPELINES.join(', ')}`);
}

/** The exporter's own timeout (the spec's default: 10 s), bounded by the processor's export timeout. */
export const DEFAULT_EXPORTER_TIMEOUT_MS = 10_000;

function resolveTimeouts(batch: BatchOptions, env: NodeJS.ProcessEnv): { batch: Required<BatchOptions>; exporterTimeoutMillis: number } {
  const resolved = resolveBatch(batch, env);
  const exporter =
    positiveInteger(env, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') ?? positiveInteger(env, 'OTEL_EXPORTER_OTLP_TIMEOUT') ?? DEFAULT_EXPORTER_TIMEOUT_MS;
  return { batch: resolved, exporterTimeoutMillis: Math.min(exporter, resolved.exportTimeoutMillis) };
}

function resolveSampler(options: ConfigOptions, env: NodeJS.ProcessEnv): { sampler: SamplerName; samplerArg: number | undefined } {
  if (options.sampler !== undefined && !SAMPLERS.includes(options.sampler)) {
    throw new TracingConfigError('sampler', `"${String(options.sampler)}" is not one of ${SAMPLERS.join(', ')}`);
  }
  const raw = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase();
  let sampler: SamplerName = options.sampler ?? 'parentbased_always_on';
  if (options.sampler === undefined && raw) {
    if (SAMPLERS.includes(raw as SamplerName)) sampler = raw as SamplerName;
    // The spec: an unknown sampler is ignored with a warning; the SDK's own warning goes to a diag
    // logger most apps never set, so say it here.
    else warnOnce(`OTEL_TRACES_SAMPLER=${JSON.stringify(env.OTEL_TRACES_SAMPLER)} is not one of ${SAMPLERS.join(', ')}; using parentbased_always_on`);
  }
  let samplerArg = options.samplerArg;
  const rawArg = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  if (samplerArg === undefined && rawArg) {
    const value = Number(rawArg);
    if (Number.isFinite(value) && value >= 0 && value <= 1) samplerArg = value;
    else warnOnce(`OTEL_TRACES_SAMPLER_ARG=${JSON.stringify(rawArg)} is not a ratio in [0, 1]; using 1`);
  }
  if (samplerArg !== undefined && !(samplerArg >= 0 && samplerArg <= 1)) {
    throw new TracingConfigError('samplerArg', `${samplerArg} is not a ratio in [0, 1]`);
  }
  return { sampler, samplerArg };
}

function resolveBatch(batch: BatchOptions, env: NodeJS.ProcessEnv): Required<BatchOptions> {
  const pick = (key: keyof BatchOptions, variable: string, allowZero = false): number => {
    const explicit = batch[key];
    if (explicit !== undefined) {
      if (!Number.isInteger(explicit) || explicit < (allowZero ? 0 : 1)) {
        throw new TracingConfigError(`batch.${key}`, `${explicit} is not a ${allowZero ? 'non-negative' : 'positive'} integer`);
      }
      return explicit;
    }
    return positiveInteger(env, variable, allowZero) ?? DEFAULT_BATCH[key];
  };
  const resolved = {
    scheduledDelayMillis: pick('scheduledDelayMillis', 'OTEL_BSP_SCHEDULE_DELAY', true),
    maxQueueSize: pick('maxQueueSize', 'OTEL_BSP_MAX_QUEUE_SIZE'),
    maxExportBatchSize: pick('maxExportBatchSize', 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
    exportTimeoutMillis: pick('exportTimeoutMillis', 'OTEL_BSP_EXPORT_TIMEOUT'),
  };
  // The processor would clamp this silently; clamp it out loud.
  if (resolved.maxExportBatchSize > resolved.maxQueueSize) {
    warnOnce(`the export batch size (${resolved.maxExportBatchSize}) exceeds the queue size (${resolved.maxQueueSize}); using ${resolved.maxQueueSize}`);
    resolved.maxExportBatchSize = resolved.maxQueueSize;
  }
  return resolved;
}

