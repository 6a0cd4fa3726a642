import { join } from 'node:path';
import { freePort, httpGet } from '../../../test-utils/http';
import { reapLeftovers, startNode, waitGone } from '../../../test-utils/processes';
import { scrape, total } from '../../../test-utils/prometheus';

// The README's steps: start, send requests, scrape the primary's /metrics with a real parser.
const MAIN = join(__dirname, '..', 'dist', 'main.js');

describe('examples/metrics: the cluster /metrics', () => {
  afterAll(async () => expect(await reapLeftovers()).toEqual([]));

  it('counts every request of both workers in fibonacci_requests_total, and the histogram count matches', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const app = startNode(MAIN, { env: { PORT: String(port), OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort), OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', FORKHOOKS_LOG: 'info' } });
    try {
      await app.waitFor(/cluster metrics at http:\/\/127\.0\.0\.1:\d+\/metrics/, 30_000);
      await app.waitFor(/worker 0 .* serving/, 30_000);
      await app.waitFor(/worker 1 .* serving/, 30_000);
      const servedBy = new Set<string>();
      for (let i = 0; i < 60; i++) {
        const reply = await httpGet(`http://127.0.0.1:${port}/fibonacci?n=${i % 15}`);
        expect(reply.status).toBe(200);
        servedBy.add(String(reply.headers['x-served-by']));
      }
      expect(servedBy.size).toBe(2);
      const { families } = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(total(families, 'fibonacci_requests_total')).toBe(60);
      expect(Number(families.find((f) => f.name === 'fibonacci_duration')?.metrics[0]?.count)).toBe(60);
      expect(families.find((f) => f.name === 'forkhooks_scrape_workers')?.metrics.find((m) => m.labels?.state === 'answered')?.value).toBe('2');
      app.child.kill('SIGINT');
      expect((await app.exited).code).toBe(0);
      expect(await waitGone([...servedBy].map(Number))).toEqual([]);
    } finally {
      if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
    }
  });
});
