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
      endpoint: 'http://localhost:4318/v1/metrics',
      headers: {},
      prometheus: { host: '0.0.0.0', port: 9464 },
    });
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/base/' }, 'http://collector:4318/base/v1/metrics'],
    [{ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'https://x.example/m', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:1' }, 'https://x.example/m'],
  ])('resolves the endpoint from %p', (env, endpoint) => {
    expect(resolveMetricsConfig({}, env).endpoint).toBe(endpoint);
  });

  it('reads a list of exporters, and none turns metrics off', () => {
    expect(resolveMetricsConfig({}, { OTEL_METRICS_EXPORTER: 'prometheus, otlp' }).exporters).toEqual(['prometheus', 'otlp']);
    expect(resolveMetricsConfig({}, { OTEL_METRICS_EXPORTER: 'otlp,none' }).exporters).toEqual([]);
  });

  it.each([
    ['OTEL_METRICS_EXPORTER', 'promethus', /OTEL_METRICS_EXPORTER: "promethus" is not one of otlp, prometheus, console, none/],
    ['OTEL_EXPORTER_PROMETHEUS_PORT', '94x64', /OTEL_EXPORTER_PROMETHEUS_PORT: "94x64" is not a port/],
    ['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', 'ftp://x', /OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: .* must be http:\/\/ or https:\/\//],
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
