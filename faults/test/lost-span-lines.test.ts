// Issue 21, items 1, 9 and 10: every line said about lost spans (and metrics) is true, and every loss
// is said. A full queue is said once per episode with its count, cause and fix, and again when it has
// room; a job's timer that makes spans during the stop gets them sent, not blamed on the collector; an
// export that hangs to the deadline is a failed export; a refusal that comes after the deadline is said;
// the metrics flush says nothing when its export arrived after its share of the stop; the span flush
// gets the deadline of startWorker's option, not one read at import. Real processes, real HTTP on 127.0.0.1.
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { TracingStats } from '@forkhooks/otel-init';
import { httpGet } from '../../test-utils/http';
import { FIXTURES, lines, named, report, sleep, startApp, useFaultSuite, type App } from './helpers';

const APP = join(FIXTURES, 'stop-lines-app.js');
const { receiverOn } = useFaultSuite();

const statsOf = (app: App, event: string): TracingStats => named(app.read(), event).at(-1)?.stats as TracingStats;

/** Starts the app and returns it with the port its server listens on. */
async function started(env: NodeJS.ProcessEnv): Promise<{ app: App; port: number }> {
  const app = startApp(env, APP);
  const line = await app.proc.waitFor(/^ready \d+/, 20_000);
  return { app, port: Number(line.split(' ')[1]) };
}

/** SIGTERM, then the exit and how long the stop took. */
async function stop(app: App): Promise<{ code: number | null; stopMs: number }> {
  const at = Date.now();
  app.proc.child.kill('SIGTERM');
  const { code } = await app.proc.exited;
  return { code, stopMs: Date.now() - at };
}

/**
 * A collector of the test's own: answers /v1/traces and /v1/metrics after the delays given, with
 * `tracesBody` (an OTLP partial success, say), and notes when each request arrived.
 */
function slowCollector(delays: { traces: number; metrics: number }, tracesBody = Buffer.alloc(0)): { url(): string; arrived: Record<string, number[]>; server: Server } {
  const arrived: Record<string, number[]> = { '/v1/traces': [], '/v1/metrics': [] };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = req.url ?? '';
      const ms = path === '/v1/metrics' ? delays.metrics : delays.traces;
      setTimeout(() => {
        (arrived[path] ??= []).push(Date.now());
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(path === '/v1/traces' ? tracesBody : undefined);
      }, ms).unref();
    });
  });
  return { url: () => `http://127.0.0.1:${(server.address() as { port: number }).port}`, arrived, server };
}

async function listening(server: Server): Promise<void> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
}

describe('lines about lost spans and metrics: every loss said, every line true (issue 21)', () => {
  it.each(['forkhooks', 'sdk'])(
    'FORKHOOKS_SPAN_PIPELINE=%s, OTEL_BSP_MAX_QUEUE_SIZE=100: a burst of 500 spans gives one warning with the count and the fix, and one line when the queue has room again',
    async (pipeline) => {
      const receiver = await receiverOn();
      const { app, port } = await started({
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        FORKHOOKS_SPAN_PIPELINE: pipeline,
        OTEL_BSP_MAX_QUEUE_SIZE: '100',
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '50',
      });
      expect((await httpGet(`http://127.0.0.1:${port}/?n=500`)).status).toBe(200);
      await app.proc.waitFor(/span queue has room again/, 10_000);
      const { code } = await stop(app);
      expect(code).toBe(0);
      const out = app.proc.stderr();
      const stats = statsOf(app, 'exit-stats');
      const warned = lines(out, /span queue full/);
      expect(warned).toHaveLength(1);
      expect(warned[0]).toMatch(new RegExp(`span queue full: ${stats.spansDropped} spans dropped, ended faster than they were sent \\(OTEL_BSP_MAX_QUEUE_SIZE=100\\); raise OTEL_BSP_MAX_QUEUE_SIZE`));
      expect(lines(out, /span queue has room again/)).toEqual([expect.stringMatching(new RegExp(`: ${stats.spansDropped} spans dropped while it was full \\(OTEL_BSP_MAX_QUEUE_SIZE=100\\)`))]);
      expect(stats.spansDropped).toBeGreaterThanOrEqual(300);
      expect(receiver.count()).toBe(stats.spansEnded - stats.spansDropped);
      expect(out).not.toMatch(/span flush at exit failed/);
      report(`full queue said (${pipeline})`, { ended: stats.spansEnded, dropped: stats.spansDropped, received: receiver.count(), warnings: warned.length });
    },
  );

  it("a job's setInterval that makes spans during the stop: the spans ended while the flush sends are sent too, and no line blames the collector", async () => {
    const receiver = await receiverOn();
    const { app } = await started({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, TICK_MS: '20', SHUTDOWN_MS: '5000' });
    await sleep(300);
    // A collector that is healthy but takes 300 ms for the flush's first request: ticks end meanwhile.
    receiver.setFault({ delayMs: 300, times: 1 });
    const stopAt = Date.now();
    const { code, stopMs } = await stop(app);
    expect(code).toBe(0);
    const out = app.proc.stderr();
    expect(out).not.toMatch(/span flush at exit failed/);
    const stats = statsOf(app, 'exit-stats');
    const duringStop = receiver.spans().filter((s) => s.name.startsWith('tick-') && Number(BigInt(s.startTimeUnixNano) / 1_000_000n) >= stopAt + 50);
    // About 15 at 20 ms a tick while the first request waits 300 ms; fewer on a loaded machine, whose timers run late.
    expect(duringStop.length).toBeGreaterThanOrEqual(1);
    // A tick may still end between the flush's end and the exit: then it is said, and counted.
    expect(receiver.count()).toBe(stats.spansEnded - stats.spansDropped);
    const late = lines(out, /ended too late for the span flush at exit/);
    expect(late).toHaveLength(stats.spansDropped > 0 ? 1 : 0);
    report('spans ended during the stop are sent', { ended: stats.spansEnded, received: receiver.count(), sentDuringStop: duringStop.length, dropped: stats.spansDropped, stopMs });
  });

  it('a timer that makes spans through the whole stop: the flush sends until the deadline, and its line says so, not that the collector failed', async () => {
    const receiver = await receiverOn();
    const { app } = await started({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, TICK_MS: '2', SHUTDOWN_MS: '1500' });
    await sleep(200);
    // Every request answered, each after 150 ms: ticks keep ending while each round is sent.
    receiver.setFault({ delayMs: 150 });
    const { code, stopMs } = await stop(app);
    expect(code).toBe(0);
    const said = lines(app.proc.stderr(), /span flush at exit failed/);
    expect(said).toEqual([
      expect.stringMatching(/span flush at exit failed: still sending spans ended during the stop at the deadline \(\d+ spans ended during the stop; the collector at \S+ answered every export\); \d+ spans lost .*Stop what makes spans/),
    ]);
    expect(said[0]).not.toMatch(/did not answer in time|unreachable/);
    const stats = statsOf(app, 'exit-stats');
    // The request in flight at the deadline may still be kept by the receiver after the process exited.
    expect(receiver.count()).toBeGreaterThanOrEqual(stats.spansExported);
    expect(stats.spansExported).toBeGreaterThan(0);
    report('flush sends until the deadline while spans keep coming', { ended: stats.spansEnded, received: receiver.count(), dropped: stats.spansDropped, stopMs });
  });

  it('an export that hangs until the deadline counts as a failed export; an empty OTEL_SERVICE_NAME is unknown_service:node; a bad OTEL_EXPORTER_OTLP_TIMEOUT is said once', async () => {
    const receiver = await receiverOn();
    const { app } = await started({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, SPANS: '5', SHUTDOWN_MS: '1000', OTEL_SERVICE_NAME: '', OTEL_EXPORTER_OTLP_TIMEOUT: 'abc' });
    receiver.setFault({ delayMs: 10_000 });
    const { code } = await stop(app);
    expect(code).toBe(0);
    const out = app.proc.stderr();
    const events = app.read();
    const exit = named(events, 'exit-stats')[0];
    expect(exit.stats).toEqual({ spansEnded: 5, spansExported: 0, spansDropped: 5, spansPending: 0, exportFailures: 1 });
    expect(lines(out, /span flush at exit failed/)).toEqual([expect.stringMatching(/failed: no answer .*; 5 spans lost \(5 in this flush, of 5 ended in this process\)\. The collector at \S+ did not answer in time/)]);
    expect(exit.serviceName).toBe('unknown_service:node');
    expect(lines(out, /OTEL_EXPORTER_OTLP_TIMEOUT="abc" is not a positive integer/)).toHaveLength(1);
  });

  it('startWorker({ shutdownTimeoutMs: 4000 }) under PM2 (kill_timeout=1000, so 800 ms read at import): the span flush gets the 4 s of the option', async () => {
    const receiver = await receiverOn();
    const { app } = await started({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, SPANS: '5', SHUTDOWN_MS: '4000', NODE_APP_INSTANCE: '0', kill_timeout: '1000' });
    // Answers after 1.5 s: within the option's deadline, past the one read from kill_timeout.
    receiver.setFault({ delayMs: 1_500, times: 1 });
    const { code, stopMs } = await stop(app);
    expect(code).toBe(0);
    expect(app.proc.stderr()).not.toMatch(/span flush at exit failed|did not settle/);
    expect(receiver.count()).toBe(5);
    expect(named(app.read(), 'exit-stats')[0].stats).toMatchObject({ spansEnded: 5, spansExported: 5, spansDropped: 0, exportFailures: 0 });
    expect(stopMs).toBeGreaterThanOrEqual(1_400);
    report('flush deadline follows shutdownTimeoutMs', { optionMs: 4000, importTimeDefaultMs: 800, collectorAnswersMs: 1500, received: receiver.count(), stopMs });
  });

  it('a collector that refuses spans in an answer that comes after the flush gave up: the refusal is said, and counted as refused, not as a failed export', async () => {
    const message = 'too old';
    // ExportTraceServiceResponse { partial_success (1) { rejected_spans (1) = 3, error_message (2) } }
    const inner = Buffer.concat([Buffer.from([0x08, 3, 0x12, message.length]), Buffer.from(message)]);
    const collector = slowCollector({ traces: 800, metrics: 0 }, Buffer.concat([Buffer.from([0x0a, inner.length]), inner]));
    await listening(collector.server);
    try {
      const { app } = await started({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url(), SPANS: '10', FLUSH_WITHIN_MS: '300', LINGER_MS: '1500', OTEL_METRICS_EXPORTER: 'none' });
      await stop(app);
      expect(statsOf(app, 'flushed')).toEqual({ spansEnded: 10, spansExported: 0, spansDropped: 10, spansPending: 0, exportFailures: 1 });
      expect(statsOf(app, 'after-flush')).toEqual({ spansEnded: 10, spansExported: 7, spansDropped: 3, spansPending: 0, exportFailures: 0 });
      expect(lines(app.proc.stderr(), /partly rejected/)).toEqual([expect.stringMatching(/the collector refused 3 spans: too old; counting refused spans as dropped/)]);
    } finally {
      await new Promise((resolve) => collector.server.close(resolve));
    }
  });

  it('the metrics flush at exit: silent when its export arrives after its share of the stop (the span flush still running), said when the process exits without it', async () => {
    // A 4 s deadline: the metrics flush may take half (2 s, less its report margin), the span flush the rest.
    // Metrics answered after 2.1 s (past the metrics flush's share), spans after 1.5 s (the span flush, from
    // about 2 s into the stop, keeps the process up until 3.5 s).
    const slow = slowCollector({ traces: 1_500, metrics: 2_100 });
    // Metrics never answered before the exit.
    const gone = slowCollector({ traces: 0, metrics: 60_000 });
    await Promise.all([listening(slow.server), listening(gone.server)]);
    try {
      const runs = [];
      for (const collector of [slow, gone]) {
        const { app, port } = await started({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url(), OTEL_METRICS_EXPORTER: 'otlp', SPANS: '5', SHUTDOWN_MS: '4000' });
        expect((await httpGet(`http://127.0.0.1:${port}/`)).status).toBe(200); // an http.server duration to export
        const { code, stopMs } = await stop(app);
        runs.push({ app, code, stopMs, out: app.proc.stderr() });
      }
      const [arrived, lost] = runs;
      expect(arrived.code).toBe(0);
      expect(slow.arrived['/v1/metrics'].length).toBeGreaterThanOrEqual(1);
      expect(arrived.out).not.toMatch(/metrics flush at exit/);
      expect(arrived.out).not.toMatch(/span flush at exit failed/);
      expect(lost.code).toBe(0);
      expect(gone.arrived['/v1/metrics']).toEqual([]);
      expect(lines(lost.out, /metrics flush at exit/)).toEqual([expect.stringMatching(/metrics flush at exit to \S+ failed: still running when the process exited, \d+ ms after its share of the stop ended \(no answer from the collector\); the last interval's metrics were lost/)]);
      report('metrics flush lines true', { arrivedStopMs: arrived.stopMs, lostStopMs: lost.stopMs });
    } finally {
      await Promise.all([slow, gone].map((c) => new Promise((resolve) => c.server.close(resolve))));
    }
  });
});
