import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { booleanFlag, httpUrl } from '../shared/env';
import { TracingConfigError } from '../shared/errors';
import { warnOnce } from '../shared/once';

// The OTLP transport settings of the spec ("OTLP Exporter Configuration"), read here for every
// protocol so that both SDK lines behave the same: the exporters read most of them too, but not all
// of them reach the wire (the HTTP exporters drop the certificate files as soon as they are given an
// agent, which otel-init does to watch connection errors), and an explicit option must win everywhere.

/** The values of OTEL_EXPORTER_OTLP_PROTOCOL, each served by its official exporter package. */
export const PROTOCOLS = ['grpc', 'http/protobuf', 'http/json'] as const;
/** One of PROTOCOLS. */
export type OtlpProtocol = (typeof PROTOCOLS)[number];

/**
 * The protocol when nothing says otherwise: the spec's (and NodeSDK's) http/protobuf. It is also the
 * cheapest of the three per span in a worker (bench/lib/protocols.js), every collector and the
 * receiver accept it, and it keeps the port (4318) and path of http/json, the previous default.
 */
export const DEFAULT_PROTOCOL: OtlpProtocol = 'http/protobuf';

/** The signal whose variables are read: `OTEL_EXPORTER_OTLP_TRACES_*` or `OTEL_EXPORTER_OTLP_METRICS_*` first, then the generic ones. */
export type OtlpSignal = 'traces' | 'metrics';

/** Where spans go when nothing says otherwise, by protocol: a local collector's OTLP port. */
export const DEFAULT_ENDPOINTS: Readonly<Record<OtlpProtocol, string>> = {
  grpc: 'http://localhost:4317',
  'http/protobuf': 'http://localhost:4318/v1/traces',
  'http/json': 'http://localhost:4318/v1/traces',
};

/** TLS material from the certificate variables (file contents), for https:// endpoints. */
export interface TlsFiles {
  /** OTEL_EXPORTER_OTLP_(TRACES_)CERTIFICATE: the CA bundle that verifies the collector. */
  ca?: Buffer;
  /** OTEL_EXPORTER_OTLP_(TRACES_)CLIENT_CERTIFICATE: our certificate chain, for mTLS. */
  cert?: Buffer;
  /** OTEL_EXPORTER_OTLP_(TRACES_)CLIENT_KEY: its private key. */
  key?: Buffer;
}

/** How one signal's OTLP exporter sends: what traces and metrics configs both carry. */
export interface OtlpTransport {
  /** OTEL_EXPORTER_OTLP_(<SIGNAL>_)PROTOCOL: which official exporter sends. */
  protocol: OtlpProtocol;
  /** The option or variable that chose `protocol` (named in messages that suggest another). */
  protocolSetting: string;
  /** The full URL the exporter posts to (for gRPC: scheme, host and port). */
  endpoint: string;
  /** Request headers (gRPC: metadata). */
  headers: Record<string, string>;
  /** OTEL_EXPORTER_OTLP_(<SIGNAL>_)COMPRESSION. */
  compression: 'gzip' | 'none';
  /** The certificate variables' files (the signal's variants first), for https:// endpoints. */
  tls: TlsFiles;
}

/** `OTEL_EXPORTER_OTLP_TRACES_<name>` or `OTEL_EXPORTER_OTLP_METRICS_<name>`. */
function signalVariable(signal: OtlpSignal, name: string): string {
  return `OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_${name}`;
}

/** The protocol and the setting that chose it (named in messages). */
export function resolveProtocol(explicit: string | undefined, env: NodeJS.ProcessEnv, signal: OtlpSignal = 'traces'): { protocol: OtlpProtocol; protocolSetting: string } {
  const specific = signalVariable(signal, 'PROTOCOL');
  const candidates: [string, string | undefined][] = [
    ['protocol', explicit],
    [specific, env[specific]],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', env.OTEL_EXPORTER_OTLP_PROTOCOL],
  ];
  for (const [setting, raw] of candidates) {
    const value = raw?.trim();
    if (value === undefined || value === '') continue;
    if (!(PROTOCOLS as readonly string[]).includes(value)) {
      throw new TracingConfigError(setting, `${JSON.stringify(raw)} is not an OTLP protocol; use one of ${PROTOCOLS.join(', ')}`);
    }
    return { protocol: value as OtlpProtocol, protocolSetting: setting };
  }
  return { protocol: DEFAULT_PROTOCOL, protocolSetting: 'OTEL_EXPORTER_OTLP_PROTOCOL' };
}

/**
 * The spec's endpoint rules: the signal's endpoint (or the `endpoint` option) is used as is; the
 * generic one gets `/v1/traces` (`/v1/metrics`) appended for HTTP and is used as is for gRPC (which
 * has no path); else the protocol's default port. A gRPC endpoint may omit the scheme
 * (`collector:4317`): then OTEL_EXPORTER_OTLP_(TRACES_)INSECURE=true means plain text, else TLS, as the spec says.
 */
export function resolveEndpoint(protocol: OtlpProtocol, explicit: string | undefined, env: NodeJS.ProcessEnv, signal: OtlpSignal = 'traces'): string {
  const specific = signalVariable(signal, 'ENDPOINT');
  const chosen: [string, string | undefined][] = [
    ['endpoint', explicit],
    [specific, env[specific]?.trim() || undefined],
  ];
  for (const [setting, value] of chosen) {
    if (value !== undefined) return protocol === 'grpc' ? grpcUrl(value, setting, env, signal) : httpUrl(value, setting).href;
  }
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (base) {
    if (protocol === 'grpc') return grpcUrl(base, 'OTEL_EXPORTER_OTLP_ENDPOINT', env, signal);
    const url = httpUrl(base, 'OTEL_EXPORTER_OTLP_ENDPOINT');
    return new URL(`${url.pathname.replace(/\/+$/, '')}/v1/${signal}`, url).href;
  }
  return protocol === 'grpc' ? DEFAULT_ENDPOINTS.grpc : DEFAULT_ENDPOINTS[protocol].replace(/\/v1\/traces$/, `/v1/${signal}`);
}

function grpcUrl(value: string, setting: string, env: NodeJS.ProcessEnv, signal: OtlpSignal): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `${insecure(env, signal) ? 'http' : 'https'}://${value}`;
  const url = httpUrl(withScheme, setting);
  if (url.pathname !== '/' && url.pathname !== '') {
    warnOnce(`${setting}: an OTLP/gRPC endpoint has no path; ignoring ${JSON.stringify(url.pathname)} (the service path is fixed)`);
  }
  return url.origin;
}

/** OTEL_EXPORTER_OTLP_(TRACES_)INSECURE: only for a gRPC endpoint given without a scheme. */
function insecure(env: NodeJS.ProcessEnv, signal: OtlpSignal): boolean {
  const specific = signalVariable(signal, 'INSECURE');
  return env[specific]?.trim() ? booleanFlag(env, specific) : booleanFlag(env, 'OTEL_EXPORTER_OTLP_INSECURE');
}

/** OTEL_EXPORTER_OTLP_(TRACES_)COMPRESSION: gzip or none (the spec's default); anything else warns and is none. */
export function resolveCompression(explicit: 'gzip' | 'none' | undefined, env: NodeJS.ProcessEnv, signal: OtlpSignal = 'traces'): 'gzip' | 'none' {
  if (explicit !== undefined) {
    if (explicit !== 'gzip' && explicit !== 'none') throw new TracingConfigError('compression', `${JSON.stringify(explicit)} is not gzip or none`);
    return explicit;
  }
  for (const name of [signalVariable(signal, 'COMPRESSION'), 'OTEL_EXPORTER_OTLP_COMPRESSION']) {
    const raw = env[name]?.trim().toLowerCase();
    if (!raw) continue;
    if (raw === 'gzip' || raw === 'none') return raw;
    warnOnce(`${name}=${JSON.stringify(env[name])} is neither gzip nor none; sending uncompressed`);
    return 'none';
  }
  return 'none';
}

/**
 * The certificate variables, signal-specific first, read now (a file that cannot be read would make
 * every TLS handshake fail, so it is an error that names the variable, not a warning nobody sees).
 */
export function resolveTls(env: NodeJS.ProcessEnv, signal: OtlpSignal = 'traces'): TlsFiles {
  const read = (name: string): Buffer | undefined => {
    const specific = signalVariable(signal, name);
    const generic = `OTEL_EXPORTER_OTLP_${name}`;
    const setting = env[specific]?.trim() ? specific : env[generic]?.trim() ? generic : undefined;
    if (setting === undefined) return undefined;
    const path = resolve(process.cwd(), (env[setting] as string).trim());
    try {
      return readFileSync(path);
    } catch (error) {
      throw new TracingConfigError(setting, `cannot read ${JSON.stringify(path)} (${(error as NodeJS.ErrnoException).code ?? String(error)}); give the path of a PEM file`);
    }
  };
  const files: TlsFiles = {};
  const ca = read('CERTIFICATE');
  const cert = read('CLIENT_CERTIFICATE');
  const key = read('CLIENT_KEY');
  if (ca) files.ca = ca;
  if (cert) files.cert = cert;
  if (key) files.key = key;
  if ((cert === undefined) !== (key === undefined)) {
    throw new TracingConfigError(
      cert === undefined ? 'OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE' : 'OTEL_EXPORTER_OTLP_CLIENT_KEY',
      `client TLS needs both OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE and OTEL_EXPORTER_OTLP_CLIENT_KEY (or their ${signal.toUpperCase()}_ variants); set both, or neither`,
    );
  }
  return files;
}
