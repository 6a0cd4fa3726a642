import { join } from 'node:path';
import { freePortRun, httpGet } from '../../../test-utils/http';
import { startNode } from '../../../test-utils/processes';
import { scrape } from '../../../test-utils/prometheus';
import { useReceiver } from './receiver-fixture';

// Without a forkhooks primary to merge them, each process serves its own /metrics on
// OTEL_EXPORTER_PROMETHEUS_PORT + its slot (here: standalone, slot 0; a PM2 instance, slot 1).
const APP = join(__dirname, 'fixtures', 'metrics-standalone.js');

describe('OTEL_METRICS_EXPORTER=prometheus without a runCluster primary', () => {
  const receiver = useReceiver(); // the spans' collector: a stop does not wait for an unreachable one

  it.each([
    ['standalone', {}, 0],
    ['a PM2 instance (NODE_APP_INSTANCE=1)', { NODE_APP_INSTANCE: '1' }, 1],
  ])('%s serves its own /metrics on the port plus its slot, with the http instrumentation\'s server duration', async (_, extra, slot) => {
    const base = await freePortRun(2);
    const proc = startNode(APP, { env: { ...extra, OTEL_METRICS_EXPORTER: 'prometheus', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(base), OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url } });
    try {
      const line = await proc.waitFor(/listening \d+ route=\S+ metrics=\S+/, 30_000);
      expect(line).toContain(`route=own-endpoint metrics=http://127.0.0.1:${base + slot}/metrics`);
      const port = Number(/listening (\d+)/.exec(line)?.[1]);
      for (let i = 0; i < 5; i++) expect((await httpGet(`http://127.0.0.1:${port}/x`)).status).toBe(200);
      const { families, status } = await scrape(`http://127.0.0.1:${base + slot}/metrics`);
      expect(status).toBe(200);
      // http.server.duration, or http.server.request.duration under OTEL_SEMCONV_STABILITY_OPT_IN=http (one label
      // set here: GET, 200). parse-prometheus-text-format keeps a labelled histogram's buckets, not its _count.
      const duration = families.find((f) => /^http_server_(request_)?duration/.test(f.name) && f.type === 'HISTOGRAM');
      expect(duration?.metrics.map((m) => m.buckets?.['+Inf'])).toEqual(['5']);
    } finally {
      proc.child.kill('SIGTERM');
      expect((await proc.exited).code).toBe(0);
    }
  });
});
