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
    ['raw', 'x-team=check\r\nout'],
    ['percent-encoded', 'x-team=check%0D%0Aout'],
  ])('a CR/LF in a header value (%s): one warning names the variable and the key, that header is left out, every span arrives', async (_how, entry) => {
    if (!available) return;
    const result = await run({ OTEL_EXPORTER_OTLP_HEADERS: `${entry},authorization=Bearer%20t0ken`, OTEL_BSP_SCHEDULE_DELAY: '0' });
    expect(result.code).toBe(0);
    expect(warningsOf(result.stderr)).toEqual([expect.stringContaining('OTEL_EXPORTER_OTLP_HEADERS: the value of "x-team" holds a control character (CR, LF or another, raw or percent-encoded); leaving that header out')]);
    expect(result.stderr).not.toMatch(/check/);
    expect(receiver().count()).toBe(SPANS);
    const traces = receiver().recentRequests().filter((r) => r.url === '/v1/traces');
    expect(traces.length).toBeGreaterThan(0);
    for (const request of traces) {
      expect(request.headers.authorization).toBe('Bearer t0ken');
      expect(request.headers['x-team']).toBeUndefined();
    }
  });
});
