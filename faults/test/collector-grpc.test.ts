// Fault matrix, collector rows over OTLP/gRPC (OTEL_EXPORTER_OTLP_PROTOCOL=grpc): the receiver's gRPC
// port down at start, and slow. Real processes: the traced app exporting with the official gRPC
// exporter to @forkhooks/receiver on 127.0.0.1; the test sends load and counts what is lost.
import type { Receiver } from '@forkhooks/receiver';
import { freePort } from '../../test-utils/http';
import { startLoad, type LoadSample } from '../../test-utils/load';
import { waitGone } from '../../test-utils/processes';
import {
  type App,
  FAILED,
  lines,
  linesByPid,
  lossPerWorker,
  RECOVERED,
  report,
  sleep,
  slowCollector,
  startApp,
  type Stats,
  until,
  useFaultSuite,
  type WorkerLoss,
} from './helpers';

const { receiverOn } = useFaultSuite();

describe('collector (receiver) gRPC port down at start, up 3 s later', () => {
  let app: App;
  let samples: LoadSample[];
  let receiver: Receiver;
  let exit: { code: number | null; signal: NodeJS.Signals | null };
  let losses: WorkerLoss[];
  let recoveredAfterMs: number;

  beforeAll(async () => {
    const t0 = Date.now();
    const [port, grpcPort] = [await freePort(), await freePort()];
    const startedAt = Date.now();
    app = startApp({
      WORKERS: '2',
      PORT: String(port),
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${grpcPort}`,
      OTEL_EXPORTER_OTLP_TIMEOUT: '500',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      FORKHOOKS_SHUTDOWN_TIMEOUT_MS: '3000',
    });
    await app.proc.waitFor(/ALL READY/);
    const load = startLoad(`http://127.0.0.1:${port}/`);
    await sleep(startedAt + 3_000 - Date.now());
    receiver = await receiverOn(0, grpcPort);
    const upAt = Date.now();
    // grpc-js reconnects a failed channel with a growing backoff (1 s, 1.6 s, 2.56 s, ...): wait for both workers to be back.
    await until(() => linesByPid(app.proc.stderr(), RECOVERED).size === 2, 'both workers to recover', 15_000);
    recoveredAfterMs = Date.now() - upAt;
    await sleep(500);
    samples = await load.stop();
    app.proc.child.kill('SIGTERM');
    exit = await app.proc.exited;
    losses = lossPerWorker(app, receiver);
    report('collector gRPC port down at start, up 3 s later', {
      scenarioMs: Date.now() - t0,
      recoveredAfterMs,
      losses: losses.map(({ stats, received, lost }) => ({ ...stats, received, lost })),
      requests: samples.length,
      failedLine: lines(app.proc.stderr(), FAILED)[0],
    });
  }, 60_000);

  it('keeps serving throughout and exits 0', async () => {
    expect(exit).toEqual({ code: 0, signal: null });
    expect(samples.length).toBeGreaterThan(50);
    expect(samples.filter((s) => s.status !== 200)).toEqual([]);
    expect(new Set(samples.map((s) => s.servedBy)).size).toBe(2);
    expect(await waitGone(app.pids())).toEqual([]);
  });

  it('counts what the outage lost in stats(), and stats() agrees with the receiver', () => {
    expect(losses).toHaveLength(2);
    for (const { stats, received } of losses) {
      expect(stats.spansPending).toBe(0);
      expect(stats.spansExported + stats.spansDropped).toBe(stats.spansEnded);
      expect(received).toBe(stats.spansExported);
      expect(stats.spansDropped).toBeGreaterThan(0);
      expect(stats.spansExported).toBeGreaterThan(0);
    }
  });

  it('says so once per worker, with the gRPC status and its cause, and once when it recovers, with the count lost', () => {
    const out = app.proc.stderr();
    const failed = linesByPid(out, FAILED);
    const recovered = linesByPid(out, RECOVERED);
    for (const { pid, stats } of losses) {
      expect(failed.get(pid)).toHaveLength(1);
      expect(failed.get(pid)?.[0]).toMatch(/failed: 14 UNAVAILABLE: .*ECONNREFUSED/);
      expect(recovered.get(pid)).toHaveLength(1);
      expect(Number(RECOVERED.exec(recovered.get(pid)?.[0] ?? '')?.[1])).toBe(stats.spansDropped);
    }
  });
});

describe('collector slow over gRPC (answers after 5 s)', () => {
  const DEADLINE_MS = 2_000;
  let app: App;
  let receiver: Receiver;
  let baseline: LoadSample[];
  let slow: LoadSample[];
  let during: Stats;
  let stopMs: number;
  let exit: { code: number | null; signal: NodeJS.Signals | null };
  let losses: WorkerLoss[];

  beforeAll(async () => {
    const t0 = Date.now();
    receiver = await receiverOn(0);
    ({ app, baseline, slow, during, stopMs, exit } = await slowCollector(receiver, receiver.grpcUrl, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, DEADLINE_MS));
    losses = lossPerWorker(app, receiver);
    report('collector slow over gRPC (5 s)', {
      scenarioMs: Date.now() - t0,
      losses: losses.map(({ stats, received, lost }) => ({ ...stats, received, lost })),
      statsAt3s: during,
      shutdownMs: stopMs,
      maxLatencyMs: Math.max(...slow.map((s) => s.ms)),
      failedLine: lines(app.proc.stderr(), FAILED)[0],
      flushLine: lines(app.proc.stderr(), /span flush at exit failed/)[0],
    });
  }, 60_000);

  it('leaves request latency unaffected', () => {
    expect(slow.length).toBeGreaterThan(50);
    expect(slow.filter((s) => s.status !== 200)).toEqual([]);
    const worst = Math.max(...slow.map((s) => s.ms));
    const worstBefore = Math.max(...baseline.map((s) => s.ms));
    expect(worst).toBeLessThan(Math.max(500, 5 * worstBefore));
  });

  it('fails an export at its 1 s timeout (the gRPC deadline): counted in stats() and said once, naming DEADLINE_EXCEEDED', () => {
    expect(during.exportFailures).toBeGreaterThanOrEqual(1);
    const failed = lines(app.proc.stderr(), FAILED);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatch(/failed: (4 DEADLINE_EXCEEDED|Timeout)/);
  });

  it('still finishes shutdown within its deadline, exit 0, and accounts for every span ended', async () => {
    expect(exit).toEqual({ code: 0, signal: null });
    expect(stopMs).toBeLessThan(DEADLINE_MS + 1_000);
    expect(await waitGone(app.pids())).toEqual([]);
    const [worker] = losses;
    expect(worker).toBeDefined();
    const { stats } = worker!;
    expect(stats.spansPending).toBe(0);
    expect(stats.spansExported + stats.spansDropped).toBe(stats.spansEnded);
    expect(stats.spansDropped).toBeGreaterThan(0);
    // The flush at exit says why, from the gRPC status of the export it gave up on.
    const [flush] = lines(app.proc.stderr(), /span flush at exit failed/);
    expect(flush).toMatch(new RegExp(`failed: 4 DEADLINE_EXCEEDED: .*; ${stats.spansDropped} spans lost .*The collector at \\S+ did not answer in time\\.`));
  });
});
