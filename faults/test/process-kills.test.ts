// Fault matrix, process rows: a worker SIGKILLed under load, the primary SIGKILLed, two SIGTERMs in a
// row. Real processes: the traced app as a runCluster of 2 workers (or standalone), exporting to a
// receiver on 127.0.0.1; spans counted per worker against each worker's stats() at exit.
import type { Receiver } from '@forkhooks/receiver';
import { freePort, httpGet } from '../../test-utils/http';
import { startLoad, type LoadSample } from '../../test-utils/load';
import { waitForEvents, waitGone } from '../../test-utils/processes';
import {
  type App,
  lines,
  linesByPid,
  listeningPort,
  lossPerWorker,
  named,
  report,
  sleep,
  startApp,
  until,
  useFaultSuite,
  type WorkerLoss,
} from './helpers';

const suite = useFaultSuite();
let receiver: Receiver;
beforeAll(async () => {
  receiver = await suite.receiverOn();
});
/** A clean receiver for the next scenario (not in beforeEach: a describe's tests read what its beforeAll left). */
function freshReceiver(): void {
  receiver.reset();
  receiver.setFault(undefined);
}

const summary = (losses: WorkerLoss[]): unknown[] => losses.map(({ workerIndex, generation, stats, received, lost }) => ({ workerIndex, generation, ...stats, received, lost }));

describe('SIGKILL of a worker under load', () => {
  let app: App;
  let samples: LoadSample[];
  let killAt: number;
  let victim: number;
  let replacement: number;
  let exit: { code: number | null; signal: NodeJS.Signals | null };
  let losses: WorkerLoss[];

  beforeAll(async () => {
    const t0 = Date.now();
    freshReceiver();
    const port = await freePort();
    app = startApp({
      WORKERS: '2',
      PORT: String(port),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '200',
      FORKHOOKS_SHUTDOWN_TIMEOUT_MS: '3000',
    });
    await app.proc.waitFor(/ALL READY/);
    victim = named(app.read(), 'listening', (e) => e.workerIndex === 1)[0]!.pid;
    app.pids();
    const load = startLoad(`http://127.0.0.1:${port}/`);
    await sleep(1_000);
    killAt = Date.now();
    process.kill(victim, 'SIGKILL');
    const events = await waitForEvents(app.events, (ev) => named(ev, 'listening', (e) => e.workerIndex === 1 && e.generation === 1).length === 1);
    replacement = named(events, 'listening', (e) => e.generation === 1)[0]!.pid;
    app.pids();
    await until(() => load.samples().filter((s) => s.servedBy === replacement).length >= 5, 'the replacement to serve');
    await sleep(500);
    samples = await load.stop();
    app.proc.child.kill('SIGTERM');
    exit = await app.proc.exited;
    losses = lossPerWorker(app, receiver);
    const victimServed = samples.filter((s) => s.servedBy === victim && s.status === 200).length;
    const victimReceived = receiver.byInstance().find((i) => i.pid === victim)?.spans ?? 0;
    report('SIGKILL of a worker under load', {
      scenarioMs: Date.now() - t0,
      failedRequests: samples.filter((s) => s.status !== 200).length,
      requests: samples.length,
      survivors: summary(losses),
      // Two spans per request it answered; whatever its batch processor still held died with it.
      killedWorker: { endedAtLeast: 2 * victimServed, received: victimReceived, lostAtLeast: 2 * victimServed - victimReceived },
    });
  });

  it('keeps serving: only requests in flight on the killed worker fail', async () => {
    expect(exit).toEqual({ code: 0, signal: null });
    const failed = samples.filter((s) => s.status !== 200);
    expect(failed.length).toBeLessThanOrEqual(2); // the load has 2 requests in flight at most
    for (const f of failed) expect(f.at).toBeLessThanOrEqual(killAt + 1_000);
    expect(samples.filter((s) => s.at > killAt && s.status === 200).length).toBeGreaterThan(10);
    expect(await waitGone([...app.pids(), victim])).toEqual([]);
  });

  it('respawns the slot, and the new generation traces: every span it ended arrives', () => {
    const respawned = losses.find((l) => l.pid === replacement);
    expect(respawned).toMatchObject({ workerIndex: 1, generation: 1, lost: 0 });
    expect(respawned!.stats.spansEnded).toBeGreaterThanOrEqual(10);
    expect(receiver.byInstance().find((i) => i.pid === replacement)).toMatchObject({ workerIndex: 1, generation: 1 });
    expect(named(app.read(), 'respawn')).toEqual([expect.objectContaining({ workerIndex: 1, generation: 1 })]);
  });

  it('leaves the spans of the other worker unaffected: none lost', () => {
    const other = losses.find((l) => l.workerIndex === 0);
    expect(other).toMatchObject({ generation: 0, lost: 0 });
    expect(other!.stats).toMatchObject({ spansDropped: 0, spansPending: 0, exportFailures: 0 });
    expect(other!.stats.spansEnded).toBeGreaterThan(20);
    expect(losses.map((l) => l.pid).sort()).toEqual([other!.pid, replacement].sort()); // the killed one left no stats
  });
});

describe('SIGKILL of the primary', () => {
  it('every worker is gone within a few seconds, and flushed its spans through atexit first: none lost', async () => {
    freshReceiver();
    const port = await freePort();
    // The default batch delay (5 s): every span of these requests waits in the queue until atexit.
    const app = startApp({ WORKERS: '2', PORT: String(port), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, FORKHOOKS_SHUTDOWN_TIMEOUT_MS: '3000' });
    await app.proc.waitFor(/ALL READY/);
    const workers = app.pids().filter((pid) => pid !== app.proc.pid);
    for (let i = 0; i < 20; i++) expect((await httpGet(`http://127.0.0.1:${port}/`)).status).toBe(200);
    expect(receiver.count()).toBe(0); // still buffered
    const killAt = Date.now();
    app.proc.child.kill('SIGKILL');
    expect(await app.proc.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await waitGone(workers, 5_000)).toEqual([]);
    const goneMs = Date.now() - killAt;
    expect(goneMs).toBeLessThan(5_000);
    const stopping = linesByPid(app.proc.stderr(), /stopping \(IPC channel closed\)/);
    for (const pid of workers) expect(stopping.get(pid)).toHaveLength(1);
    const losses = lossPerWorker(app, receiver);
    expect(losses.map((l) => l.pid).sort()).toEqual([...workers].sort());
    expect(losses.reduce((sum, l) => sum + l.stats.spansEnded, 0)).toBe(40);
    for (const loss of losses) expect(loss).toMatchObject({ lost: 0, stats: expect.objectContaining({ spansDropped: 0, spansPending: 0 }) });
    report('SIGKILL of the primary', { goneMs, losses: summary(losses) });
  });
});

describe('two SIGTERMs in a row', () => {
  it('cluster primary: one shutdown, not two; exit 0; every span delivered', async () => {
    freshReceiver();
    const port = await freePort();
    const app = startApp({ WORKERS: '2', PORT: String(port), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, FORKHOOKS_SHUTDOWN_TIMEOUT_MS: '3000' });
    await app.proc.waitFor(/ALL READY/);
    const workers = app.pids().filter((pid) => pid !== app.proc.pid);
    for (let i = 0; i < 10; i++) expect((await httpGet(`http://127.0.0.1:${port}/`)).status).toBe(200);
    // A slow collector makes the flush, so the shutdown, take a while: the second signal lands during it.
    receiver.setFault({ delayMs: 600 });
    app.proc.child.kill('SIGTERM');
    await app.proc.waitFor(/stopping 2 worker\(s\) \(SIGTERM\)/);
    await sleep(100);
    app.proc.child.kill('SIGTERM');
    expect(await app.proc.exited).toEqual({ code: 0, signal: null });
    const out = app.proc.stderr();
    expect(lines(out, /stopping 2 worker\(s\)/)).toHaveLength(1);
    expect(lines(out, new RegExp(`pid=${app.proc.pid}\\] already stopping; ignoring SIGTERM`))).toHaveLength(1);
    const done = linesByPid(out, /atexit done/);
    for (const pid of [app.proc.pid, ...workers]) expect(done.get(pid)).toHaveLength(1);
    const losses = lossPerWorker(app, receiver);
    expect(losses).toHaveLength(2);
    for (const loss of losses) expect(loss.lost).toBe(0);
    expect(await waitGone(app.pids())).toEqual([]);
    report('two SIGTERMs (cluster)', { losses: summary(losses) });
  });

  it('standalone worker: one shutdown, not two; exit 0; every span delivered', async () => {
    freshReceiver();
    const app = startApp({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, FORKHOOKS_SHUTDOWN_TIMEOUT_MS: '3000' });
    const port = await listeningPort(app);
    for (let i = 0; i < 10; i++) expect((await httpGet(`http://127.0.0.1:${port}/`)).status).toBe(200);
    receiver.setFault({ delayMs: 600 });
    app.proc.child.kill('SIGTERM');
    await app.proc.waitFor(/stopping \(SIGTERM\)/);
    await sleep(100);
    app.proc.child.kill('SIGTERM');
    expect(await app.proc.exited).toEqual({ code: 0, signal: null });
    const out = app.proc.stderr();
    expect(lines(out, /stopping \(SIGTERM\)/)).toHaveLength(1);
    expect(lines(out, /already stopping; ignoring SIGTERM/)).toHaveLength(1);
    expect(lines(out, /atexit done: 3\/3 hooks ok; exiting 0/)).toHaveLength(1); // close-server, the metrics flush, then the span flush
    const [loss] = lossPerWorker(app, receiver);
    expect(loss).toMatchObject({ lost: 0, stats: expect.objectContaining({ spansEnded: 20 }) });
    expect(await waitGone(app.pids())).toEqual([]);
  });
});
