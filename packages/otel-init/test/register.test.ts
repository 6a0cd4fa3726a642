import { get } from 'node:http';
import { join } from 'node:path';
import { freePort } from '../../../test-utils/http';
import { readEvents, runNode, startNode, tempDir } from '../../../test-utils/processes';
import type { TracingStats } from '../src';
import { useReceiver } from './receiver-fixture';

const WORKER = join(__dirname, 'fixtures', 'traced-worker.js');
const fetchText = (url: string): Promise<string> =>
  new Promise((resolve, reject) => get(url, (res) => res.on('data', () => undefined).on('end', () => resolve(String(res.statusCode)))).on('error', reject));

const statsOf = (file: string): TracingStats => (readEvents(file).find((e) => e.event === 'stats') as unknown as { stats: TracingStats }).stats;

describe('@forkhooks/otel-init/register in a real worker, exporting to a real receiver', () => {
  const dir = tempDir();
  const receiver = useReceiver({ cleanup: () => dir.cleanup() });
  let n = 0;
  const eventsFile = (): string => join(dir.path, `events-${n++}.jsonl`);

  it('delivers every span on SIGTERM: early-tracer spans and http server spans, with the worker resource', async () => {
    const file = eventsFile();
    const proc = startNode(WORKER, {
      env: { EVENTS_FILE: file, SPANS: '250', OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url, OTEL_SERVICE_NAME: 'checkout', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test' },
    });
    const port = (await proc.waitFor(/listening \d+/)).split(' ')[1];
    for (let i = 0; i < 5; i++) expect(await fetchText(`http://127.0.0.1:${port}/hello`)).toBe('200');
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);

    const spans = receiver().spans();
    expect(spans.filter((s) => s.name.startsWith('early-'))).toHaveLength(250);
    const server = spans.filter((s) => s.kind === 'server');
    expect(server).toHaveLength(5);
    const stats = statsOf(file);
    expect(stats).toEqual({ spansEnded: 255, spansExported: 255, spansDropped: 0, spansPending: 0, exportFailures: 0 });
    expect(receiver().count()).toBe(255);

    const [instance, ...others] = receiver().byInstance();
    expect(others).toEqual([]);
    expect(instance).toMatchObject({ serviceName: 'checkout', pid: proc.pid, workerIndex: 0, generation: 0, runtime: 'standalone', spans: 255 });
    expect(instance?.instanceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(instance?.resource['deployment.environment']).toBe('test');
  });

  it('appends /v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT, uses the traces endpoint as is, and sends the headers', async () => {
    const file = eventsFile();
    const result = await runNode(WORKER, {
      env: {
        EVENTS_FILE: file,
        SPANS: '3',
        NO_SERVER: '1',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9/unused',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver().tracesUrl,
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20s3cret-token,x-tenant=blue',
      },
    });
    expect(result.code).toBe(0);
    expect(receiver().count()).toBe(3);
    expect(receiver().lastHeaders()).toMatchObject({ authorization: 'Bearer s3cret-token', 'x-tenant': 'blue' });
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/s3cret/);
  });

  it('honours OTEL_BSP_MAX_EXPORT_BATCH_SIZE and OTEL_TRACES_SAMPLER', async () => {
    const batched = await runNode(WORKER, {
      env: { EVENTS_FILE: eventsFile(), SPANS: '40', NO_SERVER: '1', OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url, OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10' },
    });
    expect(batched.code).toBe(0);
    expect(receiver().count()).toBe(40);
    expect(receiver().requests()).toBeGreaterThanOrEqual(4);

    receiver().reset();
    const file = eventsFile();
    const off = await runNode(WORKER, { env: { EVENTS_FILE: file, SPANS: '40', NO_SERVER: '1', OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url, OTEL_TRACES_SAMPLER: 'always_off' } });
    expect(off.code).toBe(0);
    expect(receiver().count()).toBe(0);
    expect(statsOf(file).spansEnded).toBe(0);
  });

  it('fails to start with an error naming OTEL_EXPORTER_OTLP_ENDPOINT when it is not a URL', async () => {
    const result = await runNode(WORKER, { env: { EVENTS_FILE: eventsFile(), NO_SERVER: '1', OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/postfork hook "otel-init.initTracing" failed: OTEL_EXPORTER_OTLP_ENDPOINT: "not a url" is not a URL/);
  });

  it('warns once, naming the variable, and keeps the default for a bad sampler or queue size', async () => {
    const result = await runNode(WORKER, {
      env: { EVENTS_FILE: eventsFile(), SPANS: '2', NO_SERVER: '1', OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url, OTEL_TRACES_SAMPLER: 'bogus', OTEL_BSP_MAX_QUEUE_SIZE: '-1' },
    });
    expect(result.code).toBe(0);
    expect(result.stderr.match(/OTEL_TRACES_SAMPLER="bogus" is not one of .*; using parentbased_always_on/g)).toHaveLength(1);
    expect(result.stderr.match(/OTEL_BSP_MAX_QUEUE_SIZE="-1" is not a positive integer; ignoring it/g)).toHaveLength(1);
    expect(receiver().count()).toBe(2);
  });

  it('keeps the app running with the collector down, counting failures and drops, and still exits in time', async () => {
    // A collector that is down: a port nothing listens on.
    const url = `http://127.0.0.1:${await freePort()}`;
    const file = eventsFile();
    const proc = startNode(WORKER, {
      env: {
        EVENTS_FILE: file,
        SPANS: '30',
        OTEL_EXPORTER_OTLP_ENDPOINT: url,
        OTEL_EXPORTER_OTLP_TIMEOUT: '300',
        OTEL_BSP_SCHEDULE_DELAY: '50',
        FORKHOOKS_SHUTDOWN_TIMEOUT_MS: '2000',
      },
    });
    const port = (await proc.waitFor(/listening \d+/)).split(' ')[1];
    await proc.waitFor(/span export to .* failed/);
    expect(await fetchText(`http://127.0.0.1:${port}/still-serving`)).toBe('200');
    const stopAt = Date.now();
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(3_500);
    const stats = statsOf(file);
    expect(stats.spansEnded).toBe(31);
    expect(stats.spansExported).toBe(0);
    expect(stats.exportFailures).toBeGreaterThanOrEqual(1);
    expect(stats.spansDropped + stats.spansPending).toBe(31);
    expect(proc.stderr().match(/span export to .* failed/g)).toHaveLength(1);
  });
});
