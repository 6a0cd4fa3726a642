// Fault matrix, signals: every catchable stop signal (TERM, INT, HUP, QUIT, USR2) is a graceful stop
// in a primary, a worker and a standalone process: atexit runs and the spans are flushed. HUP to the
// whole process group (a closed terminal) stops everything; a repeated Ctrl-C forces the exit.
// Real processes: stop-app.js (runCluster of 2, or standalone), spans to a receiver on 127.0.0.1.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Receiver } from '@forkhooks/receiver';
import { freePort, httpGet } from '../../test-utils/http';
import { readEvents, tempDir, waitForEvents, waitGone } from '../../test-utils/processes';
import { type App, FIXTURES, learnedPids, lines, lossPerWorker, named, report, startApp, until, useFaultSuite } from './helpers';

const STOP_APP = join(FIXTURES, 'stop-app.js');
const suite = useFaultSuite();
let receiver: Receiver;
beforeAll(async () => {
  receiver = await suite.receiverOn();
});

const dirs: Array<{ cleanup(): void }> = [];
afterAll(() => dirs.forEach((d) => d.cleanup()));

/** The app in its own process group (as a shell's job is), so a signal can go to the whole group. */
function startGroup(env: NodeJS.ProcessEnv): { pid: number; events: string; out(): string; exited: Promise<number | null>; read(): ReturnType<App['read']> } {
  const dir = tempDir('forkhooks-signals-');
  dirs.push(dir);
  const events = join(dir.path, 'events.jsonl');
  const child = spawn(process.execPath, [STOP_APP], { env: { ...process.env, FORKHOOKS_LOG: 'info', EVENTS_FILE: events, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error('could not spawn the app');
  learnedPids([child.pid]);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { pid: child.pid, events, out: () => out, exited, read: () => readEvents(events) };
}

/** Sends `n` traced requests, so every worker has spans buffered at the stop. */
async function traffic(port: number, n = 20): Promise<void> {
  for (let i = 0; i < n; i++) expect((await httpGet(`http://127.0.0.1:${port}/`)).status).toBe(200);
}

/** The app as a cluster of 2 with a short atexit hook, ready, with spans buffered in every worker. */
async function tracedCluster(): Promise<App> {
  receiver.reset();
  const port = await freePort();
  const app = startApp({ WORKERS: '2', PORT: String(port), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, SLOW_ATEXIT_MS: '100' }, STOP_APP);
  await app.proc.waitFor(/ALL READY/);
  await traffic(port);
  return app;
}

function expectNoLoss(app: App, workers: number): void {
  const losses = lossPerWorker(app, receiver);
  expect(losses).toHaveLength(workers);
  expect(losses.map((l) => l.lost)).toEqual(losses.map(() => 0));
  expect(losses.reduce((sum, l) => sum + l.received, 0)).toBeGreaterThan(0);
}

describe.each(['SIGHUP', 'SIGQUIT', 'SIGUSR2'] as const)('%s to the primary', (signal) => {
  test('every worker and the primary run atexit, every span arrives, exit 0', async () => {
    const app = await tracedCluster();
    const pids = app.pids();
    app.proc.child.kill(signal);
    expect(await app.proc.exited).toEqual({ code: 0, signal: null });
    const events = app.read();
    expect(named(events, 'atexit-marker')).toHaveLength(2);
    expect(named(events, 'primary-atexit')).toHaveLength(1);
    expect(app.proc.stderr()).toContain(`stopping 2 worker(s) (${signal})`);
    expectNoLoss(app, 2);
    expect(await waitGone(pids)).toEqual([]);
  });
});

describe.each(['SIGQUIT', 'SIGUSR2', 'SIGHUP'] as const)('%s to a worker', (signal) => {
  test('the worker runs atexit and flushes, the primary respawns it, and its spans all arrive', async () => {
    const app = await tracedCluster();
    const victim = named(app.read(), 'listening', (e) => e.workerIndex === 1)[0]!.pid;
    process.kill(victim, signal);
    await waitForEvents(app.events, (ev) => named(ev, 'listening', (e) => e.workerIndex === 1 && e.generation === 1).length === 1);
    app.pids();
    const events = app.read();
    expect(named(events, 'atexit-marker').map((e) => e.pid)).toEqual([victim]);
    expect(named(events, 'worker-exit').map((e) => [e.pid, e.code, e.signal])).toEqual([[victim, 0, null]]);
    const lost = lossPerWorker(app, receiver).find((l) => l.pid === victim)!;
    expect(lost.received).toBeGreaterThan(0);
    expect(lost.lost).toBe(0);
    app.proc.child.kill('SIGTERM');
    expect(await app.proc.exited).toEqual({ code: 0, signal: null });
  });
});

describe.each(['SIGHUP', 'SIGQUIT', 'SIGUSR2'] as const)('%s to a standalone process', (signal) => {
  test('it runs atexit, flushes every span and exits 0', async () => {
    receiver.reset();
    const app = startApp({ STANDALONE: '1', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, SLOW_ATEXIT_MS: '100' }, STOP_APP);
    const port = Number((await app.proc.waitFor(/^listening \d+/)).split(' ')[1]);
    await traffic(port);
    app.proc.child.kill(signal);
    expect(await app.proc.exited).toEqual({ code: 0, signal: null });
    expect(named(app.read(), 'atexit-marker')).toHaveLength(1);
    expectNoLoss(app, 1);
  });
});

describe('SIGHUP to the whole process group (a closed terminal)', () => {
  test('every process runs atexit and exits, and every span arrives', async () => {
    receiver.reset();
    const port = await freePort();
    const group = startGroup({ WORKERS: '2', PORT: String(port), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, SLOW_ATEXIT_MS: '100' });
    await until(() => /ALL READY/.test(group.out()), 'the cluster to be ready', 20_000);
    await traffic(port);
    const pids = [group.pid, ...named(group.read(), 'listening').map((e) => e.pid)];
    learnedPids(pids);
    process.kill(-group.pid, 'SIGHUP');
    expect(await group.exited).toBe(0);
    expect(await waitGone(pids)).toEqual([]);
    const events = group.read();
    expect(named(events, 'atexit-marker')).toHaveLength(2);
    expect(named(events, 'primary-atexit')).toHaveLength(1);
    const app = { read: group.read } as App;
    expectNoLoss(app, 2);
    expect(lines(group.out(), /already stopping/)).toEqual([]);
  });
});

describe('Ctrl-C three times to the group during a long atexit', () => {
  test('the 2nd says how to force, the 3rd SIGKILLs the workers and exits 130 at once, in exactly two lines', async () => {
    receiver.reset();
    const group = startGroup({ WORKERS: '2', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, SLOW_ATEXIT_MS: '20000', FORKHOOKS_SHUTDOWN_TIMEOUT_MS: '60000' });
    await until(() => /ALL READY/.test(group.out()), 'the cluster to be ready', 20_000);
    const pids = [group.pid, ...named(group.read(), 'listening').map((e) => e.pid)];
    learnedPids(pids);
    process.kill(-group.pid, 'SIGINT');
    await until(() => lines(group.out(), /stopping \(stop message\)|stopping \(SIGINT\): (draining|running)/).length >= 2, 'the workers to start their stop');
    process.kill(-group.pid, 'SIGINT');
    await until(() => /press Ctrl-C again to force exit/.test(group.out()), 'the hint line');
    const third = Date.now();
    process.kill(-group.pid, 'SIGINT');
    const code = await group.exited;
    const exitMs = Date.now() - third;
    expect(code).toBe(130);
    expect(exitMs).toBeLessThan(3_000);
    expect(await waitGone(pids)).toEqual([]);
    const out = group.out();
    expect(lines(out, /press Ctrl-C again to force exit/)).toEqual([expect.stringMatching(new RegExp(`pid=${group.pid}\\] stopping \\(waiting for 2 worker\\(s\\) to drain and run atexit, up to \\d+ ms left\\); press Ctrl-C again to force exit`))]);
    expect(lines(out, /forced exit/)).toEqual([expect.stringMatching(/forced exit on Ctrl-C: cut off 2 worker\(s\) SIGKILLed \(pid \d+, \d+\) in their drain or atexit, and the primary's atexit hooks; exiting 130/)]);
    expect(lines(out, /already stopping/)).toEqual([]);
    report('three Ctrl-C during a long atexit', { exitMsAfterThird: exitMs });
  });
});
