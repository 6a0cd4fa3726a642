// Shared by the fault suite: start the traced app (faults/fixtures/traced-app.js) as a real process,
// read what its workers wrote, and count lost spans per worker: the workers' stats() at exit
// against what the receiver got from each service.instance.id.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TracingStats } from '@forkhooks/otel-init';
import type { ReceivedSpan, Receiver } from '@forkhooks/receiver';
import { assertBuilt } from '../../test-utils/build';
import { startLoad, stopAllLoads, type LoadSample } from '../../test-utils/load';
import { freePort, httpGet } from '../../test-utils/http';
import { named, readEvents, startNode, tempDir, type HookEvent, type NodeProcess } from '../../test-utils/processes';
import { useReceivers } from '../../test-utils/receiver';
import { sleep } from '../../test-utils/time';

export { assertBuilt, named, sleep };

/** Where the plain-JS fixtures live. */
export const FIXTURES = join(__dirname, '..', 'fixtures');
/** The traced app: standalone by default, runCluster with WORKERS=n. */
export const APP = join(FIXTURES, 'traced-app.js');
/** The repository root. */
export const ROOT = join(__dirname, '..', '..');

/** One worker's span accounting: its own counts at exit, and what the receiver got from it. */
export interface WorkerLoss {
  pid: number;
  workerIndex: number;
  generation: number;
  instanceId: string;
  stats: TracingStats;
  received: number;
  /** Ended in the worker and never received: the number the issue asks for. */
  lost: number;
}

/** A run of the app: the process, its events file, and every worker pid it reported. */
export interface App {
  proc: NodeProcess;
  events: string;
  read(): HookEvent[];
  /** Pids of every worker that reached main (from 'listening' events), and the primary's. */
  pids(): number[];
}

const dirs: Array<{ cleanup(): void }> = [];
const learned = new Set<number>();

/** Starts the app with `env` (EVENTS_FILE set to a fresh file); `detached`: in a process group of its own, as under a terminal. */
export function startApp(env: NodeJS.ProcessEnv, script = APP, options: { detached?: boolean } = {}): App {
  const dir = tempDir('forkhooks-faults-');
  dirs.push(dir);
  const events = join(dir.path, 'events.jsonl');
  const proc = startNode(script, { env: { EVENTS_FILE: events, ...env }, detached: options.detached });
  learned.add(proc.pid);
  const read = (): HookEvent[] => readEvents(events);
  return {
    proc,
    events,
    read,
    pids() {
      const pids = [proc.pid, ...named(read(), 'listening').map((e) => e.pid)];
      pids.forEach((pid) => learned.add(pid));
      return [...new Set(pids)];
    },
  };
}

/** Every pid a test learned (primaries, workers), for `reapLeftovers` in afterAll. */
export function learnedPids(extra: Iterable<number> = []): number[] {
  for (const pid of extra) learned.add(pid);
  return [...learned];
}

/** Removes the temporary folders of every app started. */
export function cleanupDirs(): void {
  dirs.splice(0).forEach((d) => d.cleanup());
}

/**
 * Per worker that exited gracefully: its stats() at exit against what the receiver(s) got from its
 * instance (a collector that went down and came back is two receivers on one port).
 */
export function lossPerWorker(app: App, receivers: Receiver | Receiver[]): WorkerLoss[] {
  const all = Array.isArray(receivers) ? receivers : [receivers];
  const events = app.read();
  const listening = named(events, 'listening');
  return named(events, 'exit-stats').map((e) => {
    const instanceId = String(e.instanceId);
    const stats = e.stats as TracingStats;
    const received = all.reduce((sum, r) => sum + (r.byInstance().find((i) => i.instanceId === instanceId)?.spans ?? 0), 0);
    const where = listening.find((l) => l.pid === e.pid);
    return {
      pid: e.pid,
      workerIndex: Number(where?.workerIndex ?? -1),
      generation: Number(where?.generation ?? -1),
      instanceId,
      stats,
      received,
      lost: stats.spansEnded - received,
    };
  });
}

/** Lines of `text` matching `pattern`, grouped by the `pid=N` of forkhooks' log prefix. */
export function linesByPid(text: string, pattern: RegExp): Map<number, string[]> {
  const byPid = new Map<number, string[]>();
  for (const line of text.split('\n')) {
    if (!pattern.test(line)) continue;
    const pid = Number(/\[forkhooks \w+ pid=(\d+)/.exec(line)?.[1] ?? -1);
    byPid.set(pid, [...(byPid.get(pid) ?? []), line]);
  }
  return byPid;
}

/** Lines of `text` matching `pattern`. */
export function lines(text: string, pattern: RegExp): string[] {
  return text.split('\n').filter((line) => pattern.test(line));
}

/** The port the standalone app listens on (from its stdout). */
export async function listeningPort(app: App, timeoutMs = 15_000): Promise<number> {
  const line = await app.proc.waitFor(/^listening \d+/, timeoutMs);
  return Number(line.split(' ')[1]);
}

/** GET /stats of whichever worker answers. */
export async function workerStats(port: number): Promise<{ pid: number; stats: TracingStats; rss: number }> {
  const reply = await httpGet(`http://127.0.0.1:${port}/stats`);
  return JSON.parse(reply.body) as { pid: number; stats: TracingStats; rss: number };
}

/** Polls `check` every 25 ms until it is true; throws `what` after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** Resolves with what `promise` resolves to, or with `fallback` after `ms` (leaving no timer behind). */
export function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    void promise.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/**
 * Appends one measured figure to $FAULTS_REPORT (JSON lines) when it is set, so that
 * docs/reliability.md can quote what the suite measured; does nothing otherwise.
 */
export function report(fault: string, figures: Record<string, unknown>): void {
  const file = process.env.FAULTS_REPORT;
  if (file) appendFileSync(file, `${JSON.stringify({ fault, ...figures })}\n`);
}

/** otel-init's warning when exports start failing (one per failing episode and process). */
export const FAILED = /span export to \S+ failed/;
/** otel-init's line when exports recover, with the count it says was lost. */
export const RECOVERED = /span export to \S+ recovered \((\d+) spans lost while it failed\)/;

/** Start time of a received span, in ms since the epoch. */
export const startMs = (span: ReceivedSpan): number => Number(BigInt(span.startTimeUnixNano) / 1_000_000n);

/** Requests of a load sent at or after `from` that got an answer. */
export const answeredSince = (samples: readonly LoadSample[], from: number): number => samples.filter((s) => s.at >= from && s.status === 200).length;

/**
 * Wires a fault test file's setup and cleanup: checks the build first; afterwards stops every load,
 * closes every receiver started through `receiverOn`, stops every process the file learned (by pid)
 * and fails on any that was left.
 */
export function useFaultSuite(): { receiverOn(port?: number, grpcPort?: number): Promise<Receiver> } {
  beforeAll(() => assertBuilt());
  // Before the receivers close: afterAll hooks run in the order they were declared.
  afterAll(stopAllLoads);
  const startReceiver = useReceivers({ pids: () => learnedPids(), cleanup: cleanupDirs });
  return {
    receiverOn: (port = 0, grpcPort?: number) => startReceiver({ port, grpcPort }),
  };
}

/** What `slowCollector` measured. */
export interface SlowCollectorRun {
  app: App;
  /** Load samples with the collector answering at once, then while it answers after 5 s. */
  baseline: LoadSample[];
  slow: LoadSample[];
  /** The worker's stats() 3 s into the slow phase. */
  during: TracingStats;
  /** From SIGTERM to the app's exit. */
  stopMs: number;
  exit: { code: number | null; signal: NodeJS.Signals | null };
}

/**
 * The slow-collector scenario: one traced worker exporting to `receiver` (at `endpoint`, with `env`),
 * a second of load with the collector answering at once, then 3 s of load with every answer delayed
 * by 5 s, then SIGTERM. The export timeout is 1 s, the shutdown deadline `deadlineMs`.
 */
export async function slowCollector(receiver: Receiver, endpoint: string, env: NodeJS.ProcessEnv, deadlineMs: number): Promise<SlowCollectorRun> {
  const app = startApp({
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    // The batch processor's export timeout; the exporter's own (OTEL_EXPORTER_OTLP_TIMEOUT) is left at its 10 s default.
    OTEL_BSP_EXPORT_TIMEOUT: '1000',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    FORKHOOKS_SHUTDOWN_TIMEOUT_MS: String(deadlineMs),
    ...env,
  });
  const port = await listeningPort(app);
  const url = `http://127.0.0.1:${port}/`;
  let load = startLoad(url);
  await sleep(1_000);
  const baseline = await load.stop();
  await until(() => receiver.count() >= 2 * baseline.length, 'the baseline spans to arrive');

  receiver.setFault({ delayMs: 5_000 });
  load = startLoad(url);
  // Exports started within 100 ms from now; by 3 s each has outlived the 1 s export timeout.
  await sleep(3_000);
  const during = (await workerStats(port)).stats;
  const slow = await load.stop();
  const stopAt = Date.now();
  app.proc.child.kill('SIGTERM');
  const exit = await app.proc.exited;
  return { app, baseline, slow, during, stopMs: Date.now() - stopAt, exit };
}

/** What `collectorDownAtStart` measured. */
export interface DownAtStartRun {
  app: App;
  /** The steady load's samples, from before the collector was up to the stop. */
  samples: LoadSample[];
  receiver: Receiver;
  /** When the collector came up (Date.now()). */
  upAt: number;
  exit: { code: number | null; signal: NodeJS.Signals | null };
}

/**
 * The collector-down-at-start scenario: 2 traced workers (with `env`) exporting to `endpoint(port)` of
 * a collector that is not there, under steady load; 3 s after the start `up(port)` starts it, then
 * `settle()` waits (a fixed time, or until the workers recovered) before the stop. Each export is one
 * short try (`OTEL_EXPORTER_OTLP_TIMEOUT=500`): the exporter's retries would hide a short outage.
 */
export async function collectorDownAtStart(
  env: NodeJS.ProcessEnv,
  endpoint: (port: number) => string,
  up: (port: number) => Promise<Receiver>,
  settle: (app: App) => Promise<void>,
): Promise<DownAtStartRun> {
  const [port, collectorPort] = [await freePort(), await freePort()];
  const startedAt = Date.now();
  const app = startApp({
    WORKERS: '2',
    PORT: String(port),
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint(collectorPort),
    OTEL_EXPORTER_OTLP_TIMEOUT: '500',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    FORKHOOKS_SHUTDOWN_TIMEOUT_MS: '3000',
    ...env,
  });
  await app.proc.waitFor(/ALL READY/);
  const load = startLoad(`http://127.0.0.1:${port}/`);
  await sleep(startedAt + 3_000 - Date.now());
  const receiver = await up(collectorPort);
  const upAt = Date.now();
  await settle(app);
  const samples = await load.stop();
  app.proc.child.kill('SIGTERM');
  const exit = await app.proc.exited;
  return { app, samples, receiver, upAt, exit };
}

