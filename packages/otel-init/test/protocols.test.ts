import { copyFileSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Receiver } from '@forkhooks/receiver';
import { runNode, startNode, tempDir, waitGone, type NodeProcess } from '../../../test-utils/processes';
import { LINES, useLine } from './otel-lines';
import { useReceiver } from './receiver-fixture';

// Every OTLP protocol on real processes, on both OpenTelemetry lines (otel-lines.ts).
const FIXTURES = join(__dirname, 'fixtures');
const CLUSTER_APP = join(FIXTURES, 'cluster-traced.js');
const PROTOCOL_APP = join(FIXTURES, 'protocol-app.js');
const SPANS = 60;
const PROTOCOLS = ['grpc', 'http/protobuf', 'http/json'] as const;
type Protocol = (typeof PROTOCOLS)[number];

function endpoint(receiver: Receiver, protocol: Protocol): string {
  return protocol === 'grpc' ? receiver.grpcUrl : receiver.url;
}

async function readyPid(proc: NodeProcess, index: number): Promise<number> {
  const line = await proc.waitFor(new RegExp(`ready index=${index} generation=0 pid=\\d+`), 30_000);
  return Number(/pid=(\d+)/.exec(line)?.[1]);
}

describe.each(LINES)('OTLP protocols on the OpenTelemetry %s line', (lineName, available) => {
  const receiver = useReceiver();
  const line = useLine(lineName, available);
  const maybe = available ? it : it.skip;

  describe.each(PROTOCOLS)('%s', (protocol) => {
    /** How to run a fixture of this line, exporting SPANS spans over this protocol to the receiver. */
    const run = (extra: NodeJS.ProcessEnv) => ({
      node: line.node,
      env: { ...line.env, SPANS: String(SPANS), OTEL_EXPORTER_OTLP_PROTOCOL: protocol, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint(receiver(), protocol), ...extra },
    });

    maybe(
      'delivers every span of 2 cluster workers on SIGTERM, each with its worker identity',
      async () => {
        const proc = startNode(line.entry(CLUSTER_APP), run({ OTEL_SERVICE_NAME: 'orders' }));
        const worker0 = await readyPid(proc, 0);
        const worker1 = await readyPid(proc, 1);
        proc.child.kill('SIGTERM');
        expect(await proc.exited).toEqual({ code: 0, signal: null });
        expect(await waitGone([worker0, worker1])).toEqual([]);

        // No scheduled export ran (5 s delay): every span came through the atexit flush, over this protocol.
        expect(receiver().count()).toBe(2 * SPANS);
        const instances = receiver()
          .byInstance()
          .sort((a, b) => (a.workerIndex ?? 0) - (b.workerIndex ?? 0));
        expect(instances.map((i) => [i.workerIndex, i.pid, i.generation, i.runtime, i.serviceName, i.spans])).toEqual([
          [0, worker0, 0, 'cluster', 'orders', SPANS],
          [1, worker1, 0, 'cluster', 'orders', SPANS],
        ]);
        expect(new Set(instances.map((i) => i.instanceId)).size).toBe(2);
        // The SDK of this line made them (its resource says which).
        expect(new Set(receiver().spans().map((s) => String(s.resource['telemetry.sdk.version']).split('.')[0]))).toEqual(new Set([lineName[0]]));
        const paths = new Set(receiver().recentRequests().map((r) => r.url));
        expect(paths).toEqual(new Set([protocol === 'grpc' ? '/opentelemetry.proto.collector.trace.v1.TraceService/Export' : '/v1/traces']));
        const types = new Set(receiver().recentRequests().map((r) => r.headers['content-type']));
        if (protocol !== 'grpc') expect(types).toEqual(new Set([protocol === 'http/json' ? 'application/json' : 'application/x-protobuf']));
      },
      60_000,
    );

    maybe(
      'sends OTEL_EXPORTER_OTLP_HEADERS (gRPC: as metadata) and gzips with OTEL_EXPORTER_OTLP_COMPRESSION=gzip',
      async () => {
        const result = await runNode(
          line.entry(PROTOCOL_APP),
          run({ OTEL_EXPORTER_OTLP_HEADERS: 'x-team=checkout,authorization=Bearer%20t0ken', OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' }),
        );
        expect(result.code).toBe(0);
        expect(receiver().count()).toBe(SPANS);
        const requests = receiver().recentRequests();
        expect(requests.length).toBeGreaterThan(0);
        for (const request of requests) {
          expect(request.headers).toMatchObject({ 'x-team': 'checkout', authorization: 'Bearer t0ken' });
          expect(request.headers[protocol === 'grpc' ? 'grpc-encoding' : 'content-encoding']).toBe('gzip');
          // gRPC: the official exporter of this line sent it (0.223 with the 2.x SDK, 0.301 with 3.x);
          // OTLP/HTTP: forkhooks' own sender (the official one only with FORKHOOKS_SPAN_PIPELINE=sdk, below).
          expect(request.headers['user-agent']).toContain(
            protocol === 'grpc' ? `OTel-OTLP-Exporter-JavaScript/${lineName === '3.x' ? '0.301.' : '0.223.'}` : 'forkhooks-otel-init/',
          );
        }
      },
      60_000,
    );
  });
});

describe('OTLP protocol mistakes are never silent (2.x line)', () => {
  const receiver = useReceiver();

  it.each([
    ['http/protobuf', 'grpc', /set OTEL_EXPORTER_OTLP_PROTOCOL=grpc for it/],
    ['http/json', 'grpc', /set OTEL_EXPORTER_OTLP_PROTOCOL=grpc for it/],
    ['grpc', 'http', /set OTEL_EXPORTER_OTLP_PROTOCOL=http\/protobuf \(or http\/json\) for it/],
  ] as const)(
    '%s pointed at the receiver %s port: one warning after the first failed export names the variable to set',
    async (protocol, port, advice) => {
      const result = await runNode(PROTOCOL_APP, {
        env: {
          SPANS: '30',
          LINGER_MS: '3000',
          OTEL_BSP_SCHEDULE_DELAY: '100',
          OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10',
          // gRPC retries UNAVAILABLE until this timeout: keep the test short.
          OTEL_EXPORTER_OTLP_TIMEOUT: '1500',
          OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
          OTEL_EXPORTER_OTLP_ENDPOINT: port === 'grpc' ? receiver().grpcUrl : receiver().url,
        },
        timeoutMs: 30_000,
      });
      const out = `${result.stdout}\n${result.stderr}`;
      const failures = out.split('\n').filter((l) => /span export to \S+ failed/.test(l));
      expect(failures.length).toBeGreaterThanOrEqual(1);
      const advised = out.split('\n').filter((l) => advice.test(l));
      const spanAdvice = advised.filter((l) => /span export to /.test(l));
      expect(spanAdvice).toHaveLength(1);
      expect(spanAdvice[0]).toMatch(/span export to \S+ failed: .*looks .*(OTLP\/gRPC|OTLP\/HTTP) port/);
      // Metrics follow the same protocol variable to the same port: their own warning may give the
      // same advice, once.
      const metricsAdvice = advised.filter((l) => !spanAdvice.includes(l));
      expect(metricsAdvice.length).toBeLessThanOrEqual(1);
      expect(metricsAdvice.every((l) => /metrics export to \S+ failed: .*looks .*(OTLP\/gRPC|OTLP\/HTTP) port/.test(l))).toBe(true);
      expect(receiver().count()).toBe(0);
    },
    40_000,
  );

  it('a bad OTEL_EXPORTER_OTLP_PROTOCOL fails postfork with an error naming the variable and the allowed values', async () => {
    const result = await runNode(PROTOCOL_APP, { env: { SPANS: '1', OTEL_EXPORTER_OTLP_PROTOCOL: 'http', OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/TracingConfigError: OTEL_EXPORTER_OTLP_PROTOCOL: "http" is not an OTLP protocol; use one of grpc, http\/protobuf, http\/json/);
  });

  it.each([
    ['@opentelemetry/exporter-trace-otlp-grpc', 'OTEL_EXPORTER_OTLP_PROTOCOL'],
    // Metrics choose their exporter the same way (traces stay on http/protobuf here).
    ['@opentelemetry/exporter-metrics-otlp-grpc', 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL'],
  ])('a chosen exporter that is not installed (%s) fails postfork naming the package and the install command', async (missing, variable) => {
    // The repo's node_modules without that gRPC exporter, resolved as is (NODE_PRESERVE_SYMLINKS).
    const root = join(__dirname, '..', '..', '..', 'node_modules');
    const app = tempDir('forkhooks-no-grpc-');
    try {
      const modules = join(app.path, 'node_modules');
      mkdirSync(modules);
      copyFileSync(PROTOCOL_APP, join(app.path, 'protocol-app.js'));
      for (const entry of readdirSync(root)) {
        if (!entry.startsWith('@')) {
          if (entry !== '.bin') symlinkSync(join(root, entry), join(modules, entry), 'dir');
          continue;
        }
        for (const pkg of readdirSync(join(root, entry))) {
          if (`${entry}/${pkg}` === missing) continue;
          mkdirSync(join(modules, entry), { recursive: true });
          symlinkSync(join(root, entry, pkg), join(modules, entry, pkg), 'dir');
        }
      }
      const result = await runNode(join(app.path, 'protocol-app.js'), {
        cwd: app.path,
        env: { SPANS: '1', NODE_PRESERVE_SYMLINKS: '1', [variable]: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: variable === 'OTEL_EXPORTER_OTLP_PROTOCOL' ? receiver().grpcUrl : receiver().url },
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`ExporterNotInstalledError: ${variable}=grpc needs ${missing}, which is not installed: run \`npm install ${missing}\``);
    } finally {
      app.cleanup();
    }
  });
});
