import { join } from 'node:path';
import { runNode } from '../../../test-utils/processes';
import { LINES, useLine, type Line } from './otel-lines';
import { useReceiver } from './receiver-fixture';

// The spec's variables with one bad (or unusual) value each, in real processes exporting to the real
// receiver on 127.0.0.1: each works, or says in one line what it dropped and why (issue 21, items 4-6).
const APP = join(__dirname, 'fixtures', 'env-app.js');
const SPANS = 40;
const warningsOf = (stderr: string): string[] => stderr.split('\n').filter((l) => /^\[forkhooks warn/.test(l));
const statsOf = (stdout: string): Record<string, number> => JSON.parse(/^stats=(.*)$/m.exec(stdout)?.[1] ?? 'null') as Record<string, number>;

describe.each(LINES)('OTEL_TRACES_EXPORTER on the OpenTelemetry %s line', (lineName, available) => {
  const receiver = useReceiver();
  const line = useLine(lineName, available);
  const maybe = available ? it : it.skip;
  const run = (env: NodeJS.ProcessEnv, l: Line = line) =>
    runNode(l.entry(APP), { node: l.node, env: { ...l.env, SPANS: String(SPANS), OTEL_METRICS_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url, ...env } });

  describe.each(['register', 'initTracing'])('with %s', (via) => {
    maybe('none: no span is sent, nothing is said', async () => {
      const result = await run({ VIA: via, OTEL_TRACES_EXPORTER: 'none' });
      expect({ code: result.code, received: receiver().count(), warnings: warningsOf(result.stderr) }).toEqual({ code: 0, received: 0, warnings: [] });
    });

    maybe('console: every span is printed on stdout, none is sent', async () => {
      const result = await run({ VIA: via, OTEL_TRACES_EXPORTER: 'console' });
      expect({ code: result.code, received: receiver().count(), warnings: warningsOf(result.stderr) }).toEqual({ code: 0, received: 0, warnings: [] });
      // ConsoleSpanExporter prints each span as an object (`name: 'span-0'`, ...).
      expect(result.stdout.match(/name: 'span-\d+'/g)).toHaveLength(SPANS);
    });

    maybe('"zipkinn" (unknown): one warning naming the variable and the value, then the default, otlp: every span arrives', async () => {
      const result = await run({ VIA: via, OTEL_TRACES_EXPORTER: 'zipkinn' });
      expect(result.code).toBe(0);
      expect(warningsOf(result.stderr)).toEqual([
        expect.stringContaining('OTEL_TRACES_EXPORTER="zipkinn": "zipkinn" is not one of otlp, console, none; ignoring it and using otlp (the default)'),
      ]);
      expect(receiver().count()).toBe(SPANS);
      expect(statsOf(result.stdout)).toMatchObject({ spansEnded: SPANS, spansExported: SPANS, spansDropped: 0 });
    });
  });

  maybe('" OTLP , console,zipkin" (a list, any case, one unknown): every span is sent and printed, and one warning names zipkin', async () => {
    const result = await run({ OTEL_TRACES_EXPORTER: ' OTLP , console,zipkin' });
    expect(result.code).toBe(0);
    expect(receiver().count()).toBe(SPANS);
    expect(result.stdout.match(/name: 'span-\d+'/g)).toHaveLength(SPANS);
    expect(warningsOf(result.stderr)).toEqual([expect.stringContaining('"zipkin" is not one of otlp, console, none; ignoring it and using otlp, console')]);
  });

  maybe('"otlp,none": none wins, and one warning says what it ignored', async () => {
    const result = await run({ OTEL_TRACES_EXPORTER: 'otlp,none' });
    expect({ code: result.code, received: receiver().count() }).toEqual({ code: 0, received: 0 });
    expect(warningsOf(result.stderr)).toEqual([expect.stringContaining('OTEL_TRACES_EXPORTER="otlp,none" has "none" with other exporters: none wins, nothing is exported (ignoring otlp)')]);
  });
});

describe.each(LINES)('bad entries in OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS on the OpenTelemetry %s line', (lineName, available) => {
  const receiver = useReceiver();
  const line = useLine(lineName, available);
  const maybe = available ? it : it.skip;
  const run = (env: NodeJS.ProcessEnv) =>
    runNode(line.entry(APP), { node: line.node, env: { ...line.env, SPANS: String(SPANS), OTEL_METRICS_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url, ...env } });

  it.each([
    ['service.name=checkout,deployment.environment=prod%ZZ', 'entry "deployment.environment=prod%ZZ" is not valid percent-encoding'],
    ['a=%ZZ,b=ok', 'entry "a=%ZZ" is not valid percent-encoding'],
    ['a,b=ok', 'entry "a" is not key=value'],
  ])('OTEL_RESOURCE_ATTRIBUTES=%s: one warning names the variable and the entry; the value is discarded (the spec), OTEL_SERVICE_NAME still applies', async (value, why) => {
    if (!available) return;
    const result = await run({ OTEL_RESOURCE_ATTRIBUTES: value, OTEL_SERVICE_NAME: 'orders' });
    expect(result.code).toBe(0);
    expect(warningsOf(result.stderr)).toEqual([expect.stringContaining(`OTEL_RESOURCE_ATTRIBUTES is discarded, every entry of it (as the spec says): ${why}; fix that entry`)]);
    expect(receiver().count()).toBe(SPANS);
    const resources = receiver().spans().map((s) => [s.resource['service.name'], s.resource.b, s.resource['deployment.environment']]);
    expect(new Set(resources.map((r) => JSON.stringify(r)))).toEqual(new Set([JSON.stringify(['orders', undefined, undefined])]));
  });

  maybe('a good OTEL_RESOURCE_ATTRIBUTES applies, percent-decoded, under the worker identity (no warning)', async () => {
    const result = await run({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=checkout, deployment.environment = prod%2Ceu ,process.pid=1' });
    expect({ code: result.code, warnings: warningsOf(result.stderr), received: receiver().count() }).toEqual({ code: 0, warnings: [], received: SPANS });
    const resource = receiver().spans()[0]?.resource ?? {};
    expect(resource).toMatchObject({ 'service.name': 'checkout', 'deployment.environment': 'prod,eu', 'process.pid': result.pid });
  });

  it.each([
    ['raw', 'x-team=check\r\nout', {} as NodeJS.ProcessEnv],
    ['percent-encoded', 'x-team=check%0D%0Aout', {} as NodeJS.ProcessEnv],
    // The official exporters read the variable again when built: they must not put the header back.
    ['percent-encoded, with the official trace and metrics exporters', 'x-team=check%0D%0Aout', { FORKHOOKS_SPAN_PIPELINE: 'sdk', OTEL_METRICS_EXPORTER: 'otlp' } as NodeJS.ProcessEnv],
  ])('a CR/LF in a header value (%s): one warning names the variable and the key, that header is left out, every span arrives', async (_how, entry, extra) => {
    if (!available) return;
    const result = await run({ OTEL_EXPORTER_OTLP_HEADERS: `${entry},authorization=Bearer%20t0ken`, OTEL_BSP_SCHEDULE_DELAY: '0', ...extra });
    expect(result.code).toBe(0);
    expect(warningsOf(result.stderr)).toEqual([expect.stringContaining('OTEL_EXPORTER_OTLP_HEADERS: the value of "x-team" holds a control character (CR, LF or another, raw or percent-encoded); leaving that header out')]);
    expect(result.stderr).not.toMatch(/check/);
    expect(receiver().count()).toBe(SPANS);
    // Before, the official exporters put the header back: `metrics export … failed: Invalid character in header content ["x-team"]`.
    expect(result.stderr).not.toMatch(/Invalid character|failed/);
    if (extra.OTEL_METRICS_EXPORTER) expect(receiver().metrics().length).toBeGreaterThan(0);
    const sent = receiver().recentRequests();
    expect(sent.length).toBeGreaterThan(0);
    for (const request of sent) {
      expect(request.headers.authorization).toBe('Bearer t0ken');
      expect(request.headers['x-team']).toBeUndefined();
    }
  });
});

// The otel-init README's table "Every variable otel-init reads": each spec variable with one bad value.
// Those that are warned about and replaced by their default go in one process (every line once, every
// span delivered); those that would send spans nowhere fail postfork, each in its own process.
const WARNED: Array<[variable: string, value: string, line: string]> = [
  ['OTEL_SDK_DISABLED', 'yes', 'OTEL_SDK_DISABLED="yes" is neither true nor false; treating it as false'],
  ['OTEL_RESOURCE_ATTRIBUTES', 'a,b=ok', 'OTEL_RESOURCE_ATTRIBUTES is discarded, every entry of it (as the spec says): entry "a" is not key=value'],
  ['OTEL_EXPORTER_OTLP_HEADERS', 'x-team=a%0Ab', 'OTEL_EXPORTER_OTLP_HEADERS: the value of "x-team" holds a control character'],
  ['OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'bad key=1', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS: "bad key" is not a valid header name'],
  ['OTEL_EXPORTER_OTLP_METRICS_HEADERS', 'x-m=%ZZ', 'OTEL_EXPORTER_OTLP_METRICS_HEADERS: the value of "x-m" is not valid percent-encoding; leaving that header out'],
  ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'soon', 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT="soon" is not a positive integer; ignoring it and using the default'],
  ['OTEL_EXPORTER_OTLP_METRICS_TIMEOUT', '0', 'OTEL_EXPORTER_OTLP_METRICS_TIMEOUT="0" is not a positive integer; ignoring it and using the default'],
  ['OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', 'zstd', 'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION="zstd" is neither gzip nor none; sending uncompressed'],
  ['OTEL_EXPORTER_OTLP_METRICS_COMPRESSION', 'lz4', 'OTEL_EXPORTER_OTLP_METRICS_COMPRESSION="lz4" is neither gzip nor none; sending uncompressed'],
  ['OTEL_BSP_SCHEDULE_DELAY', '-1', 'OTEL_BSP_SCHEDULE_DELAY="-1" is not a non-negative integer'],
  ['OTEL_BSP_MAX_QUEUE_SIZE', 'many', 'OTEL_BSP_MAX_QUEUE_SIZE="many" is not a positive integer'],
  ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', '0', 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE="0" is not a positive integer'],
  ['OTEL_BSP_EXPORT_TIMEOUT', '1.5', 'OTEL_BSP_EXPORT_TIMEOUT="1.5" is not a positive integer'],
  ['OTEL_TRACES_SAMPLER', 'sometimes', 'OTEL_TRACES_SAMPLER="sometimes" is not one of always_on'],
  ['OTEL_TRACES_SAMPLER_ARG', '2', 'OTEL_TRACES_SAMPLER_ARG="2" is not a ratio in [0, 1]; using 1'],
  ['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'x', 'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT="x" is not a non-negative integer'],
  ['OTEL_ATTRIBUTE_COUNT_LIMIT', '-3', 'OTEL_ATTRIBUTE_COUNT_LIMIT="-3" is not a non-negative integer'],
  ['OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', '1.5', 'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT="1.5" is not a non-negative integer'],
  ['OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'long', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT="long" is not a non-negative integer'],
  ['OTEL_SPAN_EVENT_COUNT_LIMIT', 'ten', 'OTEL_SPAN_EVENT_COUNT_LIMIT="ten" is not a non-negative integer'],
  ['OTEL_SPAN_LINK_COUNT_LIMIT', '-1', 'OTEL_SPAN_LINK_COUNT_LIMIT="-1" is not a non-negative integer'],
  ['OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT', 'x', 'OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT="x" is not a non-negative integer'],
  ['OTEL_LINK_ATTRIBUTE_COUNT_LIMIT', 'x', 'OTEL_LINK_ATTRIBUTE_COUNT_LIMIT="x" is not a non-negative integer'],
  ['OTEL_TRACES_EXPORTER', 'zipkinn', 'OTEL_TRACES_EXPORTER="zipkinn": "zipkinn" is not one of otlp, console, none; ignoring it and using otlp (the default)'],
  ['OTEL_METRICS_EXPORTER', 'otlpp', 'OTEL_METRICS_EXPORTER="otlpp": "otlpp" is not one of otlp, prometheus, console, none; ignoring it and using otlp (the default)'],
  ['OTEL_METRIC_EXPORT_INTERVAL', 'often', 'OTEL_METRIC_EXPORT_INTERVAL="often" is not a positive integer'],
  ['OTEL_METRIC_EXPORT_TIMEOUT', '-5', 'OTEL_METRIC_EXPORT_TIMEOUT="-5" is not a positive integer'],
  ['OTEL_NODE_ENABLED_INSTRUMENTATIONS', 'http,expresss', 'OTEL_NODE_ENABLED_INSTRUMENTATIONS="http,expresss": "expresss" is not an instrumentation of @opentelemetry/auto-instrumentations-node'],
];

/** Alone in a process: a line that both signals could say (said once), or a failed postfork (exit 1, the error names the variable). */
const ALONE: Array<[variable: string, env: NodeJS.ProcessEnv, code: number, line: string]> = [
  ['OTEL_EXPORTER_OTLP_COMPRESSION', { OTEL_EXPORTER_OTLP_COMPRESSION: 'brotli', OTEL_METRICS_EXPORTER: 'otlp' }, 0, 'OTEL_EXPORTER_OTLP_COMPRESSION="brotli" is neither gzip nor none; sending uncompressed'],
  ['OTEL_EXPORTER_OTLP_INSECURE', { OTEL_EXPORTER_OTLP_INSECURE: 'maybe', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: '127.0.0.1:4317', SPANS: '0' }, 0, 'OTEL_EXPORTER_OTLP_INSECURE="maybe" is neither true nor false; treating it as false'],
  ['OTEL_EXPORTER_OTLP_PROTOCOL', { OTEL_EXPORTER_OTLP_PROTOCOL: 'http' }, 1, 'TracingConfigError: OTEL_EXPORTER_OTLP_PROTOCOL: "http" is not an OTLP protocol; use one of grpc, http/protobuf, http/json'],
  ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'json' }, 1, 'TracingConfigError: OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "json" is not an OTLP protocol'],
  ['OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', { OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'json', OTEL_METRICS_EXPORTER: 'otlp' }, 1, 'TracingConfigError: OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: "json" is not an OTLP protocol'],
  ['OTEL_EXPORTER_OTLP_ENDPOINT', { OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://collector' }, 1, 'TracingConfigError: OTEL_EXPORTER_OTLP_ENDPOINT: "ftp://collector" must be http:// or https://'],
  ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'collector' }, 1, 'TracingConfigError: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "collector" is not a URL'],
  ['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'collector', OTEL_METRICS_EXPORTER: 'otlp' }, 1, 'TracingConfigError: OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: "collector" is not a URL'],
  ['OTEL_EXPORTER_OTLP_CERTIFICATE', { OTEL_EXPORTER_OTLP_CERTIFICATE: '/nonexistent/ca.pem' }, 1, 'TracingConfigError: OTEL_EXPORTER_OTLP_CERTIFICATE: cannot read "/nonexistent/ca.pem" (ENOENT)'],
  ['OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE', { OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE: '/nonexistent/ca.pem' }, 1, 'TracingConfigError: OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE: cannot read'],
  ['OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE', { OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: __filename }, 1, 'TracingConfigError: OTEL_EXPORTER_OTLP_CLIENT_KEY: client TLS needs both'],
  ['OTEL_EXPORTER_OTLP_CLIENT_KEY', { OTEL_EXPORTER_OTLP_CLIENT_KEY: '/nonexistent/key.pem' }, 1, 'TracingConfigError: OTEL_EXPORTER_OTLP_CLIENT_KEY: cannot read'],
  ['OTEL_EXPORTER_PROMETHEUS_PORT', { OTEL_EXPORTER_PROMETHEUS_PORT: '94x64', OTEL_METRICS_EXPORTER: 'prometheus' }, 1, 'TracingConfigError: OTEL_EXPORTER_PROMETHEUS_PORT: "94x64" is not a port'],
  ['FORKHOOKS_SPAN_PIPELINE', { FORKHOOKS_SPAN_PIPELINE: 'stock' }, 1, 'TracingConfigError: FORKHOOKS_SPAN_PIPELINE: "stock" is not a span pipeline'],
];

describe('every variable otel-init reads, with one bad value each (the README table; 2.x line)', () => {
  const receiver = useReceiver();
  const run = (env: NodeJS.ProcessEnv) => runNode(APP, { env: { SPANS: String(SPANS), OTEL_METRICS_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url, ...env } });

  it(`all ${WARNED.length} of those warned about, in one process: each line once, naming the variable and its value; every span arrives`, async () => {
    const result = await run(Object.fromEntries(WARNED.map(([variable, value]) => [variable, value])));
    expect(result.code).toBe(0);
    const warnings = warningsOf(result.stderr);
    const seen = WARNED.map(([variable, , line]) => [variable, warnings.filter((w) => w.includes(line)).length]);
    expect(seen).toEqual(WARNED.map(([variable]) => [variable, 1]));
    // Nothing else was said: one line per bad variable (the batch-size clamp aside: its default 512 exceeds no queue here).
    expect(warnings).toHaveLength(WARNED.length);
    expect(receiver().count()).toBe(SPANS);
  });

  it.each(ALONE)('%s', async (_variable, env, code, line) => {
    const result = await run(env);
    expect(result.code).toBe(code);
    const lines = `${result.stderr}`.split('\n').filter((l) => l.includes(line));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    // Warned: once, though traces and metrics both read it; and the spans still arrive.
    if (code === 0) {
      expect(lines).toHaveLength(1);
      expect(receiver().count()).toBe(Number(env.SPANS ?? SPANS));
    }
  });
});
