// Fault matrix, configuration rows: bad OTEL_* and WORKERS values, a secret in the exporter headers.
// What the user sees is asserted on the stderr of real processes: the traced app, and the cluster
// example run as a user runs it (`node examples/cluster-http/dist/main.js`).
import { join } from 'node:path';
import type { TracingStats } from '@forkhooks/otel-init';
import type { Receiver } from '@forkhooks/receiver';
import { freePort, httpGet } from '../../test-utils/http';
import { watchChildren } from '../../test-utils/procfs';
import { waitGone } from '../../test-utils/processes';
import {
  learnedPids,
  lines,
  linesByPid,
  listeningPort,
  named,
  ROOT,
  sleep,
  startApp,
  until,
  useFaultSuite,
  workerStats,
} from './helpers';

const CLUSTER_EXAMPLE = join(ROOT, 'examples', 'cluster-http', 'dist', 'main.js');

const suite = useFaultSuite();
let receiver: Receiver;
beforeAll(async () => {
  receiver = await suite.receiverOn();
});

describe('bad environment', () => {
  it('OTEL_EXPORTER_OTLP_ENDPOINT="not a url": the worker fails to start with a TracingConfigError naming the variable', async () => {
    const app = startApp({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' });
    expect(await app.proc.exited).toEqual({ code: 1, signal: null });
    const out = app.proc.stderr();
    expect(out).toMatch(/worker failed: postfork hook "otel-init.initTracing" failed: OTEL_EXPORTER_OTLP_ENDPOINT: "not a url" is not a URL; use e.g. http:\/\/collector:4318/);
    expect(out).toMatch(/TracingConfigError: OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(named(app.read(), 'listening')).toEqual([]);
  });

  it('OTEL_EXPORTER_OTLP_ENDPOINT="not a url" in the cluster example: the primary gives up in bounded time, naming the variable, no orphan', async () => {
    const started = Date.now();
    const app = startApp({ PORT: String(await freePort()), OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' }, CLUSTER_EXAMPLE);
    const [forked, exit] = await Promise.all([watchChildren(app.proc.pid, app.proc.exited), app.proc.exited]);
    learnedPids(forked);
    expect(exit).toEqual({ code: 1, signal: null });
    expect(Date.now() - started).toBeLessThan(15_000);
    const [last] = lines(app.proc.stderr(), /cluster primary failed \(crash loop\)/);
    expect(last).toMatch(/postfork hook "otel-init.initTracing" failed: OTEL_EXPORTER_OTLP_ENDPOINT: "not a url" is not a URL/);
    expect(await waitGone(forked, 3_000)).toEqual([]);
  });

  it('OTEL_BSP_MAX_QUEUE_SIZE=-1 and OTEL_TRACES_SAMPLER=bogus: one warning each per worker, naming the variable; the defaults hold', async () => {
    receiver.reset();
    const port = await freePort();
    const app = startApp({
      WORKERS: '2',
      PORT: String(port),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_MAX_QUEUE_SIZE: '-1',
      OTEL_TRACES_SAMPLER: 'bogus',
    });
    await app.proc.waitFor(/ALL READY/);
    const workers = app.pids().filter((pid) => pid !== app.proc.pid);
    // 3,000 spans in one tick with the default queue (2,048) and batch (512): 512 go out at once,
    // 2,048 wait, 440 are dropped (441 when the request's own server span also finds the queue full).
    // Another queue size would drop another number.
    const burst = JSON.parse((await httpGet(`http://127.0.0.1:${port}/burst?n=3000`)).body) as { pid: number };
    // GET /stats until the worker that took the burst answers (the primary deals connections round-robin).
    let stats: TracingStats | undefined;
    for (let i = 0; i < 20 && stats === undefined; i++) {
      const reply = await workerStats(port);
      if (reply.pid === burst.pid) stats = reply.stats;
    }
    expect([440, 441]).toContain(stats?.spansDropped);
    // The sampler fell back to parentbased_always_on: a plain request is traced and arrives.
    expect((await httpGet(`http://127.0.0.1:${port}/`)).status).toBe(200);
    app.proc.child.kill('SIGTERM');
    expect(await app.proc.exited).toEqual({ code: 0, signal: null });
    expect(receiver.spans().some((s) => s.name === 'work')).toBe(true);
    const out = app.proc.stderr();
    const queue = linesByPid(out, /OTEL_BSP_MAX_QUEUE_SIZE="-1" is not a positive integer; ignoring it and using the default/);
    const sampler = linesByPid(out, /OTEL_TRACES_SAMPLER="bogus" is not one of always_on, .*; using parentbased_always_on/);
    for (const byPid of [queue, sampler]) {
      expect([...byPid.keys()].sort()).toEqual([...workers].sort()); // each worker reads its env; the primary builds no tracing
      for (const pid of workers) expect(byPid.get(pid)).toHaveLength(1);
    }
    expect(await waitGone(app.pids())).toEqual([]);
  });

  it.each(['0', 'abc'])('WORKERS=%s in the cluster example: exit 2 with one line naming WORKERS, nothing forked', async (workers) => {
    const app = startApp({ WORKERS: workers, PORT: String(await freePort()) }, CLUSTER_EXAMPLE);
    const [forked, exit] = await Promise.all([watchChildren(app.proc.pid, app.proc.exited), app.proc.exited]);
    expect(exit).toEqual({ code: 2, signal: null });
    expect(forked).toEqual([]);
    expect(app.proc.stderr().trim()).toBe(`error: WORKERS="${workers}" is not valid: use a whole number from 1 to 64 (default 2)`);
  });
});

describe('headers with a secret (OTEL_EXPORTER_OTLP_HEADERS)', () => {
  const SECRET = 'xyz-s3cr3t';

  /** Runs the standalone app with `headers`, lets it export (and fail), stops it; returns all it printed and recorded. */
  async function exposure(headers: string, collector: Receiver, during?: (port: number) => Promise<void>): Promise<{ text: string; code: number | null }> {
    const app = startApp({
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_HEADERS: headers,
      OTEL_EXPORTER_OTLP_TIMEOUT: '500',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      FORKHOOKS_LOG: 'debug',
      FORKHOOKS_SHUTDOWN_TIMEOUT_MS: '2000',
    });
    const port = await listeningPort(app);
    const stats = (await httpGet(`http://127.0.0.1:${port}/stats`)).body;
    await during?.(port);
    app.proc.child.kill('SIGTERM');
    const { code } = await app.proc.exited;
    const recorded = named(app.read(), 'exit-stats').map((e) => JSON.stringify(e.stats));
    return { text: [app.proc.stdout(), app.proc.stderr(), stats, ...recorded].join('\n'), code };
  }

  it('is sent, and appears in no log line (debug level), error message or stats(): collector up, answering 401, then down', async () => {
    const collector = await suite.receiverOn();
    const { text, code } = await exposure(`authorization=Bearer ${SECRET}`, collector, async (port) => {
      expect((await httpGet(`http://127.0.0.1:${port}/`)).status).toBe(200);
      await until(() => collector.count() > 0, 'a first export');
      expect(collector.lastHeaders()?.authorization).toBe(`Bearer ${SECRET}`);
      collector.setFault({ status: 401 });
      expect((await httpGet(`http://127.0.0.1:${port}/`)).status).toBe(200);
      await until(() => collector.stats().rejectedRequests > 0, 'a rejected export');
      await collector.close();
      expect((await httpGet(`http://127.0.0.1:${port}/`)).status).toBe(200);
      await sleep(300);
    });
    expect(code).toBe(0);
    expect(text).toMatch(/span export to \S+ failed: Unauthorized/); // the failure is reported...
    expect(text).not.toContain(SECRET); // ...without the secret
  });

  it('appears nowhere when the header list is malformed, mis-encoded, or holds a character HTTP refuses', async () => {
    const cases = [
      `authorization=Bearer ${SECRET},${SECRET}-without-a-key,x-api-key=%E0%A4%A-${SECRET}`,
      `authorization=Bearer%0D%0A${SECRET}`,
    ];
    const texts: string[] = [];
    for (const headers of cases) {
      const { text, code } = await exposure(headers, receiver, async (port) => {
        expect((await httpGet(`http://127.0.0.1:${port}/`)).status).toBe(200);
        await sleep(300);
      });
      expect(code).toBe(0);
      expect(text).not.toContain(SECRET);
      texts.push(text);
    }
    // Each problem is still reported, by position or key.
    expect(texts[0]).toMatch(/OTEL_EXPORTER_OTLP_HEADERS: entry 2 is not key=value; ignoring it/);
    expect(texts[0]).toMatch(/OTEL_EXPORTER_OTLP_HEADERS: the value of "x-api-key" is not valid percent-encoding/);
    // A CR/LF is found at start: the header is left out, named by its key, and exports go on.
    expect(texts[1]).toMatch(/OTEL_EXPORTER_OTLP_HEADERS: the value of "authorization" holds a control character .*; leaving that header out/);
    expect(texts[1]).not.toMatch(/export to \S+ failed/);
  });

  it('appears in no error message when the worker fails to start on a bad endpoint', async () => {
    const app = startApp({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url', OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer ${SECRET}`, FORKHOOKS_LOG: 'debug' });
    expect((await app.proc.exited).code).toBe(1);
    expect(app.proc.stderr()).toMatch(/TracingConfigError/);
    expect(`${app.proc.stdout()}${app.proc.stderr()}`).not.toContain(SECRET);
  });
});
