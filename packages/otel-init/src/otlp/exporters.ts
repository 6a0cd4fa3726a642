// The OTLP exporter of each protocol and signal, the official package for each, loaded only when
// chosen (and then only when first needed: see tracing/deferred-exporter.ts, metrics/metrics-sdk.ts). With
// tracing/sdk.ts and metrics/metrics-sdk.ts, the only file that knows the SDK's packages. Every setting is passed explicitly, as tracing/config.ts read it, so both SDK lines (whose
// exporters read the same variables again, and would lose some of them: see protocol.ts) behave the same.
import type * as Http from 'node:http';
import type { Agent } from 'node:http';
import { createRequire } from 'node:module';
import type * as OtlpGrpc from '@opentelemetry/exporter-trace-otlp-grpc';
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as OtlpProto from '@opentelemetry/exporter-trace-otlp-proto';
import type * as GrpcBase from '@opentelemetry/otlp-grpc-exporter-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { ExporterLike } from '../shared/lazy-exporter';
import { ExporterNotInstalledError } from './errors';
import type { OtlpProtocol, OtlpTransport, TlsFiles } from './protocol';
import { watchSockets } from './watch-sockets';

/** The official exporter package of each protocol: optional peers, the app installs the one it uses. */
export const EXPORTER_PACKAGES: Readonly<Record<OtlpProtocol, string>> = {
  grpc: '@opentelemetry/exporter-trace-otlp-grpc',
  'http/protobuf': '@opentelemetry/exporter-trace-otlp-proto',
  'http/json': '@opentelemetry/exporter-trace-otlp-http',
};

/** The official metric exporter package of each protocol (`http/protobuf`'s a required peer, the others optional). */
export const METRICS_EXPORTER_PACKAGES: Readonly<Record<OtlpProtocol, string>> = {
  grpc: '@opentelemetry/exporter-metrics-otlp-grpc',
  'http/protobuf': '@opentelemetry/exporter-metrics-otlp-proto',
  'http/json': '@opentelemetry/exporter-metrics-otlp-http',
};

/** What an exporter is built from: the transport settings both signals' configs carry. */
type TransportSettings = Pick<OtlpTransport, 'protocol' | 'endpoint' | 'headers' | 'compression' | 'tls'> & { exporterTimeoutMillis: number };

/**
 * Where the chosen exporter is (of `packages`: the trace exporters by default); throws
 * ExporterNotInstalledError (naming the package and the install command) when it is not installed.
 * Resolving is cheap: postfork fails at once, the load waits.
 */
export function resolveExporter(config: Pick<OtlpTransport, 'protocol' | 'protocolSetting'>, packages: Readonly<Record<OtlpProtocol, string>> = EXPORTER_PACKAGES): string {
  const name = packages[config.protocol];
  try {
    return require.resolve(name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') throw new ExporterNotInstalledError(name, config.protocol, config.protocolSetting);
    throw error;
  }
}

/** Builds the span exporter of `config.protocol` from the package at `path`; `onSocketError` hears HTTP connection errors. */
export function createExporter(config: TransportSettings, path: string, onSocketError: (error: Error) => void): ExporterLike<ReadableSpan> {
  return createOtlpExporter(config, path, 'OTLPTraceExporter', onSocketError) as ExporterLike<ReadableSpan>;
}

/**
 * Builds the `className` exporter (`OTLPTraceExporter`, `OTLPMetricExporter`: the official packages of
 * both signals take the same transport options) of `config.protocol` from the package at `path`.
 */
export function createOtlpExporter(config: TransportSettings, path: string, className: 'OTLPTraceExporter' | 'OTLPMetricExporter', onSocketError: (error: Error) => void): unknown {
  return withoutHeaderVariables(() => buildExporter(config, path, className, onSocketError));
}

/** The variables of the headers config.headers already holds, as otel-init parsed them. */
const HEADER_VARIABLES = ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'OTEL_EXPORTER_OTLP_METRICS_HEADERS'];

/**
 * Both lines' exporters read the header variables again when built, and add what they find under the
 * headers given: a header otel-init left out (a CR/LF in its value, said once at start) would come
 * back and make every export fail. Built synchronously, they see the variables unset.
 */
function withoutHeaderVariables<T>(build: () => T): T {
  const saved = HEADER_VARIABLES.map((name) => [name, process.env[name]] as const);
  for (const [name] of saved) delete process.env[name];
  try {
    return build();
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
}

function buildExporter(config: TransportSettings, path: string, className: 'OTLPTraceExporter' | 'OTLPMetricExporter', onSocketError: (error: Error) => void): unknown {
  // CompressionAlgorithm is a string enum of 'gzip' and 'none' on both lines.
  const compression = config.compression as never;
  if (config.protocol === 'grpc') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const OTLPExporter = (require(path) as Record<typeof className, typeof OtlpGrpc.OTLPTraceExporter>)[className];
    // The exporter's own copy of grpc-js (through its base package) builds what it takes.
    const grpc = createRequire(path)('@opentelemetry/otlp-grpc-exporter-base') as typeof GrpcBase;
    const metadata = grpc.createEmptyMetadata();
    for (const [key, value] of Object.entries(config.headers)) metadata.set(key, value);
    const { ca, key, cert } = config.tls;
    return new OTLPExporter({
      url: config.endpoint,
      metadata,
      // The scheme decides, as the spec says (protocol.ts gave a scheme-less endpoint one from OTEL_EXPORTER_OTLP_INSECURE).
      credentials: config.endpoint.startsWith('https:') ? grpc.createSslCredentials(ca, key, cert) : grpc.createInsecureCredentials(),
      compression,
      timeoutMillis: config.exporterTimeoutMillis,
    });
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const OTLPExporter = (require(path) as Record<typeof className, (typeof OtlpHttp | typeof OtlpProto)['OTLPTraceExporter']>)[className];
  return new OTLPExporter({
    url: config.endpoint,
    headers: config.headers,
    compression,
    timeoutMillis: config.exporterTimeoutMillis,
    httpAgentOptions: (protocol) => watchedAgent(protocol, onSocketError, config.tls),
  });
}

/**
 * The exporter's own agent (keep-alive, as its default), whose connection errors are noted: the
 * exporter retries a refused connection silently until its timeout, and a flush cut off before
 * then would otherwise have no cause to report (`connect ECONNREFUSED …`). An https agent carries
 * the certificate variables' files: given an agent, the exporter no longer applies them itself.
 */
function watchedAgent(protocol: string, onError: (error: Error) => void, tls: TlsFiles): Agent {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Agent: AgentClass } = (protocol === 'http:' ? require('node:http') : require('node:https')) as typeof Http;
  return watchSockets(new AgentClass(protocol === 'http:' ? { keepAlive: true } : { keepAlive: true, ...tls }), onError);
}
