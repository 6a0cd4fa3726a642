import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configureLogger } from '@forkhooks/core';
import { DEFAULT_ENDPOINT, DEFAULT_SPAN_LIMITS, TracingConfigError, resolveConfig } from '../src';

describe('resolveConfig: options, then OTEL_* variables, then the spec defaults', () => {
  const warnings: string[] = [];
  beforeAll(() => configureLogger({ sink: (level, message) => level === 'warn' && warnings.push(message) }));
  beforeEach(() => (warnings.length = 0));

  it('defaults to a local collector over http/protobuf, the spec batch settings and parentbased_always_on', () => {
    expect(resolveConfig({}, {})).toEqual({
      disabled: false,
      exporters: ['otlp'],
      spanPipeline: 'forkhooks',
      serviceName: undefined,
      protocol: 'http/protobuf',
      protocolSetting: 'OTEL_EXPORTER_OTLP_PROTOCOL',
      endpoint: DEFAULT_ENDPOINT,
      headers: {},
      compression: 'none',
      tls: {},
      sampler: 'parentbased_always_on',
      samplerArg: undefined,
      batch: { scheduledDelayMillis: 5000, maxQueueSize: 2048, maxExportBatchSize: 512, exportTimeoutMillis: 30000 },
      exporterTimeoutMillis: 10000,
      spanLimits: DEFAULT_SPAN_LIMITS,
      maxRequestBytes: 1_000_000,
    });
  });

  it('reads FORKHOOKS_OTLP_MAX_REQUEST_BYTES; a bad value gets one warning naming the variable and the default used', () => {
    expect(resolveConfig({}, { FORKHOOKS_OTLP_MAX_REQUEST_BYTES: ' 262144 ' }).maxRequestBytes).toBe(262144);
    expect(warnings).toEqual([]);
    for (const bad of ['1MB', '-5', '1.5', '100', 'abc']) {
      expect(resolveConfig({}, { FORKHOOKS_OTLP_MAX_REQUEST_BYTES: bad }).maxRequestBytes).toBe(1_000_000);
      resolveConfig({}, { FORKHOOKS_OTLP_MAX_REQUEST_BYTES: bad });
    }
    expect(warnings).toHaveLength(5);
    expect(warnings[0]).toBe('FORKHOOKS_OTLP_MAX_REQUEST_BYTES="1MB" is not a whole number of bytes of at least 1024; ignoring it and using the default, 1000000 bytes');
  });

  it.each([
    [{}, 'forkhooks'],
    [{ FORKHOOKS_SPAN_PIPELINE: 'sdk' }, 'sdk'],
    [{ FORKHOOKS_SPAN_PIPELINE: ' forkhooks ' }, 'forkhooks'],
  ])('FORKHOOKS_SPAN_PIPELINE from %p is %s', (env, pipeline) => {
    expect(resolveConfig({}, env).spanPipeline).toBe(pipeline);
  });

  it('a FORKHOOKS_SPAN_PIPELINE that is neither forkhooks nor sdk is a TracingConfigError naming the variable and the allowed values', () => {
    expect(() => resolveConfig({}, { FORKHOOKS_SPAN_PIPELINE: 'stock' })).toThrow(
      new TracingConfigError('FORKHOOKS_SPAN_PIPELINE', '"stock" is not a span pipeline; use one of forkhooks, sdk'),
    );
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, 'http://collector:4318/v1/traces'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/base/' }, 'http://collector:4318/base/v1/traces'],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://x.example/custom', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:1' }, 'https://x.example/custom'],
  ])('resolves the endpoint from %p', (env, endpoint) => {
    expect(resolveConfig({}, env).endpoint).toBe(endpoint);
  });

  it.each([
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'not a url', /OTEL_EXPORTER_OTLP_ENDPOINT: "not a url" is not a URL/],
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'ftp://x', /must be http:\/\/ or https:\/\//],
  ])('throws TracingConfigError naming %s', (variable, value, message) => {
    let error: unknown;
    try {
      resolveConfig({}, { [variable]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TracingConfigError);
    expect(error).toMatchObject({ setting: variable, code: 'FORKHOOKS_ERR_OTEL_CONFIG' });
    expect((error as Error).message).toMatch(message);
  });

  it('reads the BSP variables, and warns and keeps the default for invalid ones', () => {
    const config = resolveConfig({}, { OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_BSP_MAX_QUEUE_SIZE: '-1', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: 'many', OTEL_BSP_EXPORT_TIMEOUT: '1500' });
    expect(config.batch).toEqual({ scheduledDelayMillis: 200, maxQueueSize: 2048, maxExportBatchSize: 512, exportTimeoutMillis: 1500 });
    expect(warnings).toEqual([
      'OTEL_BSP_MAX_QUEUE_SIZE="-1" is not a positive integer; ignoring it and using the default',
      'OTEL_BSP_MAX_EXPORT_BATCH_SIZE="many" is not a positive integer; ignoring it and using the default',
    ]);
  });

  it('clamps a batch larger than the queue, out loud', () => {
    expect(resolveConfig({}, { OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '500' }).batch.maxExportBatchSize).toBe(100);
    expect(warnings.join('\n')).toMatch(/export batch size \(500\) exceeds the queue size \(100\); using 100/);
  });

  it('merges the generic and the traces headers, never logging a value', () => {
    const config = resolveConfig({}, { OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20xyz,broken,x-a=1', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-a=2' });
    expect(config.headers).toEqual({ authorization: 'Bearer xyz', 'x-a': '2' });
    expect(warnings).toEqual([expect.stringMatching(/OTEL_EXPORTER_OTLP_HEADERS: entry 2 is not key=value/)]);
    expect(warnings.join('\n')).not.toMatch(/xyz/);
  });

  it('reads the sampler and its ratio, and OTEL_SDK_DISABLED', () => {
    expect(resolveConfig({}, { OTEL_TRACES_SAMPLER: 'TraceIdRatio', OTEL_TRACES_SAMPLER_ARG: '0.25' })).toMatchObject({ sampler: 'traceidratio', samplerArg: 0.25 });
    expect(resolveConfig({}, { OTEL_TRACES_SAMPLER_ARG: '7' }).samplerArg).toBeUndefined();
    expect(warnings.join('\n')).toMatch(/OTEL_TRACES_SAMPLER_ARG="7" is not a ratio in \[0, 1\]/);
    expect(resolveConfig({}, { OTEL_SDK_DISABLED: 'TRUE' }).disabled).toBe(true);
  });

  it('reads every span and attribute limit, the span variable before the general one, and warns on a bad value', () => {
    const config = resolveConfig(
      {},
      {
        OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '5',
        OTEL_ATTRIBUTE_COUNT_LIMIT: '9',
        OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '16',
        OTEL_SPAN_EVENT_COUNT_LIMIT: '0',
        OTEL_SPAN_LINK_COUNT_LIMIT: '3',
        OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: '2',
        OTEL_LINK_ATTRIBUTE_COUNT_LIMIT: 'lots',
      },
    );
    expect(config.spanLimits).toEqual({
      attributeCountLimit: 5,
      attributeValueLengthLimit: 16,
      eventCountLimit: 0,
      linkCountLimit: 3,
      attributePerEventCountLimit: 2,
      attributePerLinkCountLimit: 128,
    });
    expect(warnings).toEqual(['OTEL_LINK_ATTRIBUTE_COUNT_LIMIT="lots" is not a non-negative integer; ignoring it and using the default']);
    expect(resolveConfig({}, { OTEL_ATTRIBUTE_COUNT_LIMIT: '9' }).spanLimits.attributeCountLimit).toBe(9);
  });

  it('lets options win over the environment, and rejects bad options', () => {
    const config = resolveConfig(
      { serviceName: 'api', endpoint: 'http://127.0.0.1:1234/v1/traces', batch: { maxQueueSize: 10, maxExportBatchSize: 5 }, sampler: 'always_off' },
      { OTEL_SERVICE_NAME: 'env-name', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env:1', OTEL_TRACES_SAMPLER: 'always_on' },
    );
    expect(config).toMatchObject({ serviceName: 'api', endpoint: 'http://127.0.0.1:1234/v1/traces', sampler: 'always_off' });
    expect(config.batch).toMatchObject({ maxQueueSize: 10, maxExportBatchSize: 5 });
    expect(() => resolveConfig({ batch: { maxQueueSize: 0 } }, {})).toThrow(/batch.maxQueueSize: 0 is not a positive integer/);
    expect(() => resolveConfig({ sampler: 'sometimes' as never }, {})).toThrow(/sampler: "sometimes" is not one of/);
  });

  describe('OTLP protocol, endpoint, compression and TLS variables', () => {
    it.each([
      [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'grpc', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'http://localhost:4317'],
      [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, 'http/json', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'http://localhost:4318/v1/traces'],
      [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' }, 'http/protobuf', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'http://localhost:4318/v1/traces'],
    ])('%p chooses %s (by %s) with its default endpoint %s', (env, protocol, setting, endpoint) => {
      expect(resolveConfig({}, env)).toMatchObject({ protocol, protocolSetting: setting, endpoint });
    });

    it('applies the spec endpoint rules per protocol: the generic endpoint gets /v1/traces over HTTP only', () => {
      expect(resolveConfig({}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317' }).endpoint).toBe('http://collector:4317');
      expect(resolveConfig({}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).endpoint).toBe(
        'http://collector:4318/v1/traces',
      );
      expect(
        resolveConfig({}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces:443', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:1' })
          .endpoint,
      ).toBe('https://traces');
      // A scheme-less gRPC endpoint is TLS unless OTEL_EXPORTER_OTLP_INSECURE=true says plain text.
      expect(resolveConfig({}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317' }).endpoint).toBe('https://collector:4317');
      expect(
        resolveConfig({}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317', OTEL_EXPORTER_OTLP_INSECURE: 'true' }).endpoint,
      ).toBe('http://collector:4317');
      expect(warnings).toEqual([]);
      expect(resolveConfig({}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317/v1/traces' }).endpoint).toBe(
        'http://collector:4317',
      );
      expect(warnings).toEqual([expect.stringMatching(/OTEL_EXPORTER_OTLP_ENDPOINT: an OTLP\/gRPC endpoint has no path; ignoring "\/v1\/traces"/)]);
    });

    it.each([
      ['OTEL_EXPORTER_OTLP_PROTOCOL', 'http'],
      ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'GRPC '],
    ])('rejects %s=%p naming the variable and the allowed values', (variable, value) => {
      expect(() => resolveConfig({}, { [variable]: value })).toThrow(TracingConfigError);
      expect(() => resolveConfig({}, { [variable]: value })).toThrow(
        `${variable}: ${JSON.stringify(value)} is not an OTLP protocol; use one of grpc, http/protobuf, http/json`,
      );
    });

    it('reads the compression, the signal variable first, and warns on a value that is neither gzip nor none', () => {
      expect(resolveConfig({}, { OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' }).compression).toBe('gzip');
      expect(resolveConfig({}, { OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip', OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'none' }).compression).toBe('none');
      expect(resolveConfig({}, { OTEL_EXPORTER_OTLP_COMPRESSION: 'zstd' }).compression).toBe('none');
      expect(warnings).toEqual(['OTEL_EXPORTER_OTLP_COMPRESSION="zstd" is neither gzip nor none; sending uncompressed']);
    });

    it('reads the certificate files, the signal variable first, and names a variable whose file cannot be read', () => {
      const dir = mkdtempSync(join(tmpdir(), 'otel-tls-'));
      try {
        for (const name of ['ca', 'traces-ca', 'cert', 'key']) writeFileSync(join(dir, `${name}.pem`), name);
        const tls = resolveConfig(
          {},
          {
            OTEL_EXPORTER_OTLP_CERTIFICATE: join(dir, 'ca.pem'),
            OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE: join(dir, 'traces-ca.pem'),
            OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: join(dir, 'cert.pem'),
            OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY: join(dir, 'key.pem'),
          },
        ).tls;
        expect({ ca: tls.ca?.toString(), cert: tls.cert?.toString(), key: tls.key?.toString() }).toEqual({ ca: 'traces-ca', cert: 'cert', key: 'key' });
        expect(() => resolveConfig({}, { OTEL_EXPORTER_OTLP_CERTIFICATE: join(dir, 'missing.pem') })).toThrow(
          /OTEL_EXPORTER_OTLP_CERTIFICATE: cannot read ".*missing\.pem" \(ENOENT\)/,
        );
        expect(() => resolveConfig({}, { OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: join(dir, 'cert.pem') })).toThrow(/client TLS needs both/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('lets the protocol and compression options win over the environment', () => {
      const config = resolveConfig({ protocol: 'grpc', compression: 'gzip' }, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_COMPRESSION: 'none' });
      expect(config).toMatchObject({ protocol: 'grpc', protocolSetting: 'protocol', compression: 'gzip', endpoint: 'http://localhost:4317' });
      expect(() => resolveConfig({ protocol: 'udp' as never }, {})).toThrow('protocol: "udp" is not an OTLP protocol; use one of grpc, http/protobuf, http/json');
    });
  });
});
