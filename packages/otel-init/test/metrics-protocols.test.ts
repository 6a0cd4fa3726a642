import { join } from 'node:path';
import { freePort } from '../../../test-utils/http';
import { startNode, waitGone, type NodeProcess } from '../../../test-utils/processes';
import { sleep } from '../../../test-utils/time';
import { load, readyPid, sum } from './metrics-load';
import { LINES, useLine } from './otel-lines';
import { useReceiver, useReceivers } from './receiver-fixture';

// Metrics over every OTLP protocol, chosen as a user does for traces (OTEL_EXPORTER_OTLP_PROTOCOL),
// on real cluster workers and the real receiver; and a metrics collector that is down, then up.
const APP = join(__dirname, 'fixtures', 'cluster-metrics.js');
const PROTOCOLS = ['grpc', 'http/protobuf', 'http/json'] as const;

/** Stops a cluster a failed test left running (SIGTERM to its primary, by pid). */
async function stopIfRunning(proc: NodeProcess | undefined): Promise<void> {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  await proc.exited;
}

describe.each(LINES)('metrics over each OTLP protocol on the OpenTelemetry %s line', (lineName, available) => {
  const receiver = useReceiver();
  const line = useLine(lineName, available);
  const maybe = available ? it : it.skip;
  let running: NodeProcess | undefined;
  afterEach(async () => {
    await stopIfRunning(running);
    running = undefined;
  });

  describe.each(PROTOCOLS)('%s', (protocol) => {
    maybe(
      '2 workers under load, then SIGTERM: the counter total received equals the requests served',
      async () => {
        const port = await freePort();
        const proc = (running = startNode(line.entry(APP), {
          node: line.node,
          env: {
            ...line.env,
            PORT: String(port),
            OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
            OTEL_EXPORTER_OTLP_ENDPOINT: protocol === 'grpc' ? receiver().grpcUrl : receiver().url,
            OTEL_METRICS_EXPORTER: 'otlp',
            // An interval no run reaches: the counts come through the final export at SIGTERM.
            OTEL_METRIC_EXPORT_INTERVAL: '600000',
            FORKHOOKS_LOG: 'debug',
          },
        }));
        const pids = [await readyPid(proc, 0, 0), await readyPid(proc, 1, 0)];
        const served = await load(port, 120);
        expect(served.size).toBe(2);
        proc.child.kill('SIGTERM');
        expect(await proc.exited).toEqual({ code: 0, signal: null });
        expect(await waitGone(pids)).toEqual([]);

        expect(receiver().counterTotal('app.requests')).toBe(sum(served));
        expect(receiver().counterTotal('app.requests')).toBe(120);
        // Each worker's count, under its own identity, from the SDK of this line.
        const instances = receiver()
          .metrics()
          .sort((a, b) => (a.workerIndex ?? 0) - (b.workerIndex ?? 0));
        expect(instances.map((i) => [i.workerIndex, i.counters['app.requests']])).toEqual([
          [0, served.get('worker 0')],
          [1, served.get('worker 1')],
        ]);
        // The receiver keeps metrics out of its request log (as a collector's trace pipeline would):
        // the workers' own debug line says which exporter sent them; a gRPC endpoint takes nothing else.
        expect(proc.stdout() + proc.stderr()).toMatch(new RegExp(`metrics: push, OTLP \\(${protocol}\\) to `));
      },
      120_000,
    );
  });
});

describe('a metrics collector that is down, then up', () => {
  const startOwn = useReceivers();
  let running: NodeProcess | undefined;
  afterEach(async () => {
    await stopIfRunning(running);
    running = undefined;
  });

  it('says the failure once (the cause and the redacted URL) while exports fail, and one recovery line when it is back', async () => {
    const [port, collectorPort] = [await freePort(), await freePort()];
    const proc = (running = startNode(APP, {
      env: {
        PORT: String(port),
        WORKERS: '1',
        // Credentials in the URL: the lines must not print them.
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `http://user:s3cret@127.0.0.1:${collectorPort}/v1/metrics`,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${collectorPort}/v1/traces`,
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_METRIC_EXPORT_INTERVAL: '500',
      },
    }));
    const pid = await readyPid(proc, 0, 0);
    await load(port, 20);
    const failure = await proc.waitFor(/metrics export to .* failed: /, 30_000);
    expect(failure).toMatch(new RegExp(`metrics export to http://.*127\\.0\\.0\\.1:${collectorPort}/v1/metrics failed: .*ECONNREFUSED.*; the next interval retries`));
    expect(failure).not.toContain('s3cret');
    // Let a few more intervals fail (bounded: 3 s of 500 ms intervals), then bring the collector up.
    await sleep(3_000);
    const receiver = await startOwn({ port: collectorPort, host: '127.0.0.1' });
    const recovered = await proc.waitFor(/metrics export to .* recovered/, 30_000);
    const failed = Number(/\((\d+) exports? failed while it was down/.exec(recovered)?.[1]);
    expect(failed).toBeGreaterThanOrEqual(2);
    // One warning for the whole episode, though several exports failed.
    const output = proc.stdout() + proc.stderr();
    expect(output.match(/metrics export to .* failed: /g)).toHaveLength(1);
    // Cumulative counters: the export after recovery carries every request counted during the outage.
    expect(receiver.counterTotal('app.requests')).toBe(20);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    expect(await waitGone([pid])).toEqual([]);
  }, 120_000);
});
