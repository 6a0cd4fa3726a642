import { configureLogger } from '@forkhooks/core';
import { DEFAULT_METRIC_EXPORT_INTERVAL_MS, DEFAULT_METRIC_EXPORT_TIMEOUT_MS, TracingConfigError, resolveMetricsConfig } from '../src';

describe('resolveMetricsConfig: OTEL_METRICS_EXPORTER, OTEL_METRIC_EXPORT_*, endpoints and the Prometheus address', () => {
  const warnings: string[] = [];
  beforeAll(() => configureLogger({ sink: (level, message) => level === 'warn' && warnings.push(message) }));
  beforeEach(() => (warnings.length = 0));

  it('defaults to otlp (as NodeSDK), every 60 s with a 30 s timeout, to a local collector, Prometheus on 0.0.0.0:9464', () => {
    expect(resolveMetricsConfig({}, {})).toEqual({
      exporters: ['otlp'],
      intervalMillis: DEFAULT_METRIC_EXPORT_INTERVAL_MS,
      timeoutMillis: DEFAULT_METRIC_EXPORT_TIMEOUT_MS,
      protocol: 'http/protobuf',
      protocolSetting: 'OTEL_EXPORTER_OTLP_PROTOCOL',
      endpoint: 'http://localhost:4318/v1/metrics',
      headers: {},
      compression: 'none',
      tls: {},
      exporterTimeoutMillis: 10_000,
      prometheus: { host: '0.0.0.0', port: 9464 },
    });
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/base/' }, 'http://collector:4318/base/v1/metrics'],
    [{ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'https://x.example/m', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:1' }, 'https://x.example/m'],
    // gRPC: the generic endpoint as is (no path), the default port 4317.
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317' }, 'http://collector:4317'],
    [{ OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc' }, 'http://localhost:4317'],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, 'http://localhost:4318/v1/metrics'],
  ])('resolves the endpoint from %p', (env, endpoint) => {
    expect(resolveMetricsConfig({}, env).endpoint).toBe(endpoint);
  });

  it.each([
    [{}, 'http/protobuf', 'OTEL_EXPORTER_OTLP_PROTOCOL'],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'grpc', 'OTEL_EXPORTER_OTLP_PROTOCOL'],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json' }, 'http/json', 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL'],
    // The traces variable is the other signal's: it does not choose the metrics protocol.
    [{ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' }, 'http/protobuf', 'OTEL_EXPORTER_OTLP_PROTOCOL'],
  ])('reads the protocol from %p: _METRICS_ first, then the generic variable, default http/protobuf', (env, protocol, setting) => {
    expect(resolveMetricsConfig({}, env)).toMatchObject({ protocol, protocolSetting: setting });
  });

  it('reads headers, compression, timeout and certificates with the _METRICS_ variants first', () => {
    const config = resolveMetricsConfig(
      {},
      {
        OTEL_EXPORTER_OTLP_HEADERS: 'a=1,b=2',
        OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'b=3',
        OTEL_EXPORTER_OTLP_COMPRESSION: 'none',
        OTEL_EXPORTER_OTLP_METRICS_COMPRESSION: 'gzip',
        OTEL_EXPORTER_OTLP_TIMEOUT: '7000',
        OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '3000',
        OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE: __filename,
      },
    );
    expect(config).toMatchObject({ headers: { a: '1', b: '3' }, compression: 'gzip', exporterTimeoutMillis: 3000 });
    expect(config.tls.ca?.toString()).toContain('reads headers, compression, timeout and certificates');
  });

  it('reads a list of exporters, and none turns metrics off', () => {
    expect(resolveMetricsConfig({}, { OTEL_METRICS_EXPORTER: 'prometheus, otlp' }).exporters).toEqual(['prometheus', 'otlp']);
    expect(resolveMetricsConfig({}, { OTEL_METRICS_EXPORTER: 'otlp,none' }).exporters).toEqual([]);
  });

  it('OTEL_METRICS_EXPORTER follows the rule of OTEL_TRACES_EXPORTER: an unknown name is left out with one warning, and nothing known left means otlp', () => {
    expect(resolveMetricsConfig({}, { OTEL_METRICS_EXPORTER: 'promethus' }).exporters).toEqual(['otlp']);
    expect(resolveMetricsConfig({}, { OTEL_METRICS_EXPORTER: 'Console,statsd' }).exporters).toEqual(['console']);
    expect(warnings).toEqual([
      expect.stringContaining('OTEL_METRICS_EXPORTER="promethus": "promethus" is not one of otlp, prometheus, console, none; ignoring it and using otlp (the default)'),
      expect.stringContaining('OTEL_METRICS_EXPORTER="Console,statsd": "statsd" is not one of otlp, prometheus, console, none; ignoring it and using console'),
    ]);
  });

  it.each([
    ['OTEL_EXPORTER_PROMETHEUS_PORT', '94x64', /OTEL_EXPORTER_PROMETHEUS_PORT: "94x64" is not a port/],
    ['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', 'ftp://x', /OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: .* must be http:\/\/ or https:\/\//],
    ['OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'http/proto', /OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: "http\/proto" is not an OTLP protocol; use one of grpc, http\/protobuf, http\/json/],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'udp', /OTEL_EXPORTER_OTLP_PROTOCOL: "udp" is not an OTLP protocol/],
    ['OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE', '/nonexistent/ca.pem', /OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE: cannot read "\/nonexistent\/ca.pem" \(ENOENT\)/],
  ])('throws TracingConfigError naming %s', (variable, value, message) => {
    let error: unknown;
    try {
      resolveMetricsConfig({}, { [variable]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TracingConfigError);
    expect((error as TracingConfigError).setting).toBe(variable);
    expect((error as Error).message).toMatch(message);
  });

  it('warns naming OTEL_METRIC_EXPORT_INTERVAL / _TIMEOUT when not a positive integer, and uses the defaults', () => {
    const config = resolveMetricsConfig({}, { OTEL_METRIC_EXPORT_INTERVAL: 'often', OTEL_METRIC_EXPORT_TIMEOUT: '-5' });
    expect([config.intervalMillis, config.timeoutMillis]).toEqual([DEFAULT_METRIC_EXPORT_INTERVAL_MS, DEFAULT_METRIC_EXPORT_TIMEOUT_MS]);
    expect(warnings).toEqual([
      'OTEL_METRIC_EXPORT_INTERVAL="often" is not a positive integer; ignoring it and using the default',
      'OTEL_METRIC_EXPORT_TIMEOUT="-5" is not a positive integer; ignoring it and using the default',
    ]);
  });

  it('clamps a timeout above the interval, out loud (the SDK reader would throw)', () => {
    const config = resolveMetricsConfig({}, { OTEL_METRIC_EXPORT_INTERVAL: '1000', OTEL_METRIC_EXPORT_TIMEOUT: '5000' });
    expect([config.intervalMillis, config.timeoutMillis]).toEqual([1000, 1000]);
    expect(warnings).toEqual([expect.stringMatching(/export timeout \(5000 ms, OTEL_METRIC_EXPORT_TIMEOUT\) exceeds the interval \(1000 ms, OTEL_METRIC_EXPORT_INTERVAL\); using 1000 ms/)]);
  });

  it('throws on a bad option, naming it', () => {
    expect(() => resolveMetricsConfig({ intervalMillis: 0 })).toThrow(/intervalMillis: 0 is not a positive integer/);
    expect(() => resolveMetricsConfig({ exporter: 'statsd' as never })).toThrow(/exporter: "statsd" is not one of/);
  });
});
