// Fault matrix, collector row (issue 11, item 7, "collector down at stop"): the collector goes away
// just before the cluster is stopped, with spans still buffered. Each worker must say why its flush
// failed (the exporter's own error), how many spans were lost (the exact count: ended - received),
// and what bounds it, within its own budget: not core's generic "did not settle" line.
import { freePort, httpGet } from '../../test-utils/http';
import { waitGone } from '../../test-utils/processes';
import { linesByPid, lossPerWorker, report, startApp, until, useFaultSuite } from './helpers';

const { receiverOn } = useFaultSuite();

describe('collector down at stop', () => {
  it.each<[string, Record<string, string>, number]>([
    ['default settings (10 s deadline, 5 s batch delay: every span still buffered)', {}, 10_000],
    // The batch delay (1 s) is longer than the second round of 60 requests takes, so each worker still
    // holds that round's spans when the collector goes away. With 300 ms a worker's batch timer could
    // fire between its last request and the close (seen once in CI with two test files at a time), and
    // that worker then had nothing left to lose.
    ['a 3 s deadline, spans exported until the collector went away', { FORKHOOKS_SHUTDOWN_TIMEOUT_MS: '3000', OTEL_BSP_SCHEDULE_DELAY: '1000' }, 3_000],
  ])('%s: each worker says "span flush at exit failed: connect ECONNREFUSED …; N spans lost", N exact', async (name, env, deadlineMs) => {
    const receiver = await receiverOn();
    const port = await freePort();
    const app = startApp({ WORKERS: '2', PORT: String(port), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ...env });
    await app.proc.waitFor(/ALL READY/);
    for (let i = 0; i < 60; i++) expect((await httpGet(`http://127.0.0.1:${port}/`)).status).toBe(200);
    if (env.OTEL_BSP_SCHEDULE_DELAY) {
      await until(() => receiver.count() > 0, 'a first export');
      for (let i = 0; i < 60; i++) expect((await httpGet(`http://127.0.0.1:${port}/`)).status).toBe(200);
    }
    await receiver.close();
    const stopAt = Date.now();
    app.proc.child.kill('SIGTERM');
    const exit = await app.proc.exited;
    const stopMs = Date.now() - stopAt;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(stopMs).toBeLessThan(deadlineMs + 3_000);
    const out = app.proc.stderr();
    expect(out).not.toMatch(/did not settle/);
    const said = linesByPid(out, /span flush at exit failed/);
    const losses = lossPerWorker(app, receiver);
    expect(losses).toHaveLength(2);
    for (const loss of losses) {
      expect(loss.lost).toBeGreaterThan(0);
      expect(loss.stats.spansDropped).toBe(loss.lost); // stats() counts what the collector did not get
      const lines = said.get(loss.pid) ?? [];
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`span flush at exit failed: connect ECONNREFUSED 127\\.0\\.0\\.1:${receiver.port}; ${loss.lost} spans lost `));
      expect(lines[0]).toMatch(/The collector at http:\/\/127\.0\.0\.1:\d+\/v1\/traces was unreachable/);
      expect(lines[0]).toMatch(/OTEL_BSP_EXPORT_TIMEOUT .*OTEL_EXPORTER_OTLP_TRACES_TIMEOUT .*FORKHOOKS_SHUTDOWN_TIMEOUT_MS/);
    }
    expect(await waitGone(app.pids(), 3_000)).toEqual([]);
    report(`collector down at stop: ${name}`, { stopMs, losses: losses.map(({ stats, received, lost }) => ({ ended: stats.spansEnded, received, lost })) });
  });
});
