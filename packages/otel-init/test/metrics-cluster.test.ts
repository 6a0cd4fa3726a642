import { join } from 'node:path';
import { freePort, httpGet } from '../../../test-utils/http';
import { startNode, waitGone, type NodeProcess } from '../../../test-utils/processes';
import { scrape, total, type PromFamily } from '../../../test-utils/prometheus';
import { sleep } from '../../../test-utils/time';
import { load, readyPid, sum } from './metrics-load';
import { useReceiver } from './receiver-fixture';

// runCluster + register with metrics, on real workers: OTLP to the real receiver, and the primary's
// one Prometheus /metrics, parsed by parse-prometheus-text-format.
const APP = join(__dirname, 'fixtures', 'cluster-metrics.js');

function histogram(families: PromFamily[], name: string): { count: number; inf: number; buckets: Record<string, number> } {
  const metric = families.find((f) => f.name === name && f.type === 'HISTOGRAM')?.metrics[0];
  const buckets = Object.fromEntries(Object.entries(metric?.buckets ?? {}).map(([le, v]) => [le, Number(v)]));
  return { count: Number(metric?.count ?? NaN), inf: buckets['+Inf'] ?? NaN, buckets };
}

describe('metrics under runCluster with @forkhooks/otel-init/register', () => {
  const pids: number[] = [];
  const receiver = useReceiver({ pids });
  /** The cluster of the running test: stopped after it even when it failed. */
  let running: NodeProcess | undefined;
  const start = (env: NodeJS.ProcessEnv): NodeProcess => (running = startNode(APP, { env }));
  afterEach(async () => {
    if (running && running.child.exitCode === null && running.child.signalCode === null) {
      running.child.kill('SIGTERM');
      await running.exited;
    }
    running = undefined;
  });
  /** The cluster serves on `port`, its primary's /metrics on 127.0.0.1:`metricsPort`; spans go to the receiver. */
  const prometheusEnv = (port: number, metricsPort: number, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
    PORT: String(port),
    OTEL_METRICS_EXPORTER: 'prometheus',
    OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
    OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url,
    ...extra,
  });

  it('OTLP: 2 workers under load, then SIGTERM: the counter total received equals the requests served, final interval included', async () => {
    const port = await freePort();
    // An interval no run reaches: every count must come through the final export in atexit.
    const env = { PORT: String(port), OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url, OTEL_METRICS_EXPORTER: 'otlp', OTEL_METRIC_EXPORT_INTERVAL: '600000' };
    const proc = start(env);
    pids.push(await readyPid(proc, 0, 0), await readyPid(proc, 1, 0));
    const served = await load(port, 300);
    expect(served.size).toBe(2); // both workers served
    expect(receiver().metrics()).toEqual([]); // nothing exported before the stop
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
    expect(await waitGone(pids)).toEqual([]);

    expect(receiver().counterTotal('app.requests')).toBe(sum(served));
    const instances = receiver().metrics().sort((a, b) => (a.workerIndex ?? 0) - (b.workerIndex ?? 0));
    // Each worker under the tracing resource (its own service.instance.id, index, pid), with its own count.
    expect(instances.map((i) => [i.workerIndex, i.counters['app.requests']])).toEqual([
      [0, served.get('worker 0')],
      [1, served.get('worker 1')],
    ]);
    expect(new Set(instances.map((i) => i.instanceId)).size).toBe(2);
    // The http instrumentation's own server-duration histogram flowed through the same MeterProvider.
    const httpCount = instances.reduce((n, i) => n + (i.histogramCounts['http.server.duration'] ?? i.histogramCounts['http.server.request.duration'] ?? 0), 0);
    expect(httpCount).toBe(sum(served));
  });

  it('Prometheus: one /metrics for the cluster equals the requests served, merges histograms, and stays monotonic across a SIGKILL + respawn and a rolling reload', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const env = prometheusEnv(port, metricsPort, { RELOAD_SIGNAL: 'SIGUSR2' });
    const url = `http://127.0.0.1:${metricsPort}/metrics`;
    const proc = start(env);
    const first = await readyPid(proc, 0, 0);
    pids.push(first, await readyPid(proc, 1, 0));
    const served = await load(port, 200);
    expect(served.size).toBe(2);

    let { families } = await scrape(url);
    expect(total(families, 'app_requests_total')).toBe(200);
    expect(total(families, 'forkhooks_scrape_workers')).toBe(2);
    expect(families.find((f) => f.name === 'forkhooks_scrape_workers')?.metrics.find((m) => m.labels?.state === 'answered')?.value).toBe('2');
    // Histograms merged bucket by bucket: each cumulative bucket <= the next, +Inf and _count equal the requests.
    const merged = histogram(families, 'app_request_duration');
    expect([merged.count, merged.inf]).toEqual([200, 200]);
    const cumulative = ['1', '5', '25', '100', '+Inf'].map((le) => merged.buckets[le]);
    expect(cumulative).toEqual([...cumulative].sort((a, b) => (a ?? 0) - (b ?? 0)));

    // SIGKILL a worker: its counts stay in the sum (from the last scrape), the respawn starts from 0.
    process.kill(first, 'SIGKILL');
    pids.push(await readyPid(proc, 0, 1));
    ({ families } = await scrape(url));
    expect(total(families, 'app_requests_total')).toBe(200);
    await load(port, 50);

    // A rolling reload with no scrape since those 50 requests: only the final snapshot each old worker
    // sends at atexit can carry them; nothing goes down and nothing is lost.
    proc.child.kill('SIGUSR2');
    pids.push(await readyPid(proc, 0, 2), await readyPid(proc, 1, 1));
    await proc.waitFor(/reload done/, 30_000);
    ({ families } = await scrape(url));
    expect(total(families, 'app_requests_total')).toBe(250);
    expect(histogram(families, 'app_request_duration').count).toBe(250);
    await load(port, 30);
    ({ families } = await scrape(url));
    expect(total(families, 'app_requests_total')).toBe(280);

    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
    expect(await waitGone(pids)).toEqual([]);
  });

  it('a worker that hangs during a scrape: the scrape answers within its bound and names the worker', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const env = prometheusEnv(port, metricsPort, { FORKHOOKS_METRICS_SCRAPE_TIMEOUT_MS: '1000' });
    const proc = start(env);
    const byIndex = [await readyPid(proc, 0, 0), await readyPid(proc, 1, 0)];
    pids.push(...byIndex);
    await load(port, 20);
    const hang = httpGet(`http://127.0.0.1:${port}/hang?ms=8000`, 30_000);
    // Let the hang begin: a /work request answered by the other worker means the first is stuck.
    await sleep(500);
    const started = Date.now();
    const { families, text } = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
    const tookMs = Date.now() - started;
    const hung = Number(/worker (\d)/.exec((await hang).body)?.[1]);
    // The bound is 1 s; the rest is slack for a loaded machine, far below the 8 s hang.
    expect(tookMs).toBeLessThan(5_000);
    expect(text).toContain(`# forkhooks: worker ${hung} (pid ${byIndex[hung]}) did not answer within 1000 ms`);
    const states = Object.fromEntries((families.find((f) => f.name === 'forkhooks_scrape_workers')?.metrics ?? []).map((m) => [m.labels?.state, m.value]));
    expect(states).toEqual({ answered: '1', missing: '1' });
    // Its counters are still in the sum (from its last answer: none before this scrape, so the other's 20 minus its share at least).
    expect(total(families, 'app_requests_total')).toBeGreaterThan(0);
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
    expect(await waitGone(pids)).toEqual([]);
  });

  // Since issue 21 OTEL_METRICS_EXPORTER follows OTEL_TRACES_EXPORTER's rule (the spec's, and NodeSDK's):
  // an unknown name gets one warning naming it and the default (otlp), not a failed worker.
  it('a bad OTEL_METRICS_EXPORTER gets one warning per worker naming it, and metrics go out over OTLP (the default)', async () => {
    const port = await freePort();
    const proc = start({ PORT: String(port), WORKERS: '1', OTEL_METRICS_EXPORTER: 'promethus', OTEL_METRIC_EXPORT_INTERVAL: '600000', OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url });
    pids.push(await readyPid(proc, 0, 0));
    const served = await load(port, 20);
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
    expect(await waitGone(pids)).toEqual([]);
    expect(proc.stderr().match(/OTEL_METRICS_EXPORTER="promethus": "promethus" is not one of otlp, prometheus, console, none; ignoring it and using otlp \(the default\)/g)).toHaveLength(1);
    expect(receiver().counterTotal('app.requests')).toBe(sum(served));
  });

  it('a bad OTEL_EXPORTER_OTLP_METRICS_PROTOCOL fails the worker at postfork with the error naming it and the allowed values', async () => {
    const proc = start({ PORT: String(await freePort()), WORKERS: '1', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/proto', OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url });
    await proc.waitFor(/OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: "http\/proto" is not an OTLP protocol/, 30_000);
    expect(proc.stdout() + proc.stderr()).toMatch(/use one of grpc, http\/protobuf, http\/json/);
    const { code } = await proc.exited;
    expect(code).not.toBe(0);
  });
});
