// Fault matrix, issue 22 (items 4 to 11): what runCluster's own actions lose or misreport. A stop
// during a reload or a scale, SIGHUP to the process group of a cluster that reloads on SIGHUP, the
// bounds on workers and scale(n), a worker's children taking its identity, the primary as PID 1 and
// the cluster /metrics with pids that come round again, a reload while the collector is down. Real
// processes: manager-app.js (a traced runCluster with a control API), grandchild-app.js,
// pid-reuse-app.js (in a pid namespace of its own), a receiver.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Receiver } from '@forkhooks/receiver';
import { freePort, httpGet } from '../../test-utils/http';
import { runNode, startNode, waitForEvents, type HookEvent } from '../../test-utils/processes';
import { FIXTURES, lines, named, report, sleep, startApp, within, useFaultSuite } from './helpers';
import { MANAGER_APP, type Manager, startManager as startManagerApp, stopPrimary } from './manager-fixture';

const suite = useFaultSuite();
let receiver: Receiver;
beforeAll(async () => {
  receiver = await suite.receiverOn();
});

interface ControlReply {
  ok?: true;
  ms: number;
  error?: { name: string; code?: string; message: string; option?: string };
  workers: Array<{ workerIndex: number; generation: number; pid: number; state: string }>;
}

const startManager = (env?: NodeJS.ProcessEnv, options?: { detached?: boolean }): Promise<Manager<ControlReply>> =>
  startManagerApp<ControlReply>(receiver.url, env, options);
const stop = stopPrimary;

const KEEP_SERVING = /the old workers keep serving/;
const listeningAs = (workerIndex: number, generation: number) => (ev: HookEvent[]) => named(ev, 'listening', (e) => e.workerIndex === workerIndex && e.generation === generation).length > 0;

describe('a stop during a reload or a scale', () => {
  test('SIGTERM 50 ms into reload(): reload rejects with ClusterStoppingError, no line says the old workers keep serving, exit 0', async () => {
    const { app, control } = await startManager();
    const reply = control('/reload');
    await sleep(50);
    const exit = await stop(app);
    const answer = await within(reply, 10_000, undefined);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(answer?.error).toMatchObject({ name: 'ClusterStoppingError', code: 'FORKHOOKS_ERR_CLUSTER_STOPPING', message: expect.stringMatching(/reload\(\) ended after 0 of 2 worker\(s\): the cluster is stopping/) });
    expect(lines(app.proc.stderr(), KEEP_SERVING)).toEqual([]);
    expect(lines(app.proc.stderr(), /is PID 1/)).toEqual([]);
    report('stop during reload', { at: '50 ms', answer: answer?.error?.message ?? answer });
  }, 60_000);

  test('SIGTERM once the first slot is replaced: reload() rejects (it did not replace every worker) instead of resolving', async () => {
    const { app, control } = await startManager();
    const reply = control('/reload');
    await waitForEvents(app.events, listeningAs(0, 1), 30_000);
    const exit = await stop(app);
    const answer = await within(reply, 10_000, undefined);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(answer?.ok).toBeUndefined();
    expect(answer?.error).toMatchObject({ name: 'ClusterStoppingError', message: expect.stringMatching(/reload\(\) ended after [01] of 2 worker\(s\)/) });
    expect(lines(app.proc.stderr(), KEEP_SERVING)).toEqual([]);
    expect(lines(app.proc.stderr(), /reload done in/)).toEqual([]);
    report('stop during reload', { at: 'first slot replaced', answer: answer?.error?.message ?? answer });
  }, 60_000);

  test('scale(2000) fails at once naming n and the maximum; scale(far above the CPUs) warns once; SIGTERM during it rejects the scale', async () => {
    const { app, control } = await startManager();
    const tooMany = await control('/scale?n=2000');
    expect(tooMany.error).toMatchObject({ name: 'InvalidRuntimeOptionError', message: expect.stringMatching(/handle\.scale: invalid option n: expected at most 1024 workers, got 2000/) });
    expect(tooMany.ms).toBeLessThan(1_000);
    expect(tooMany.workers).toHaveLength(2);
    const cores = availableParallelism();
    const n = Math.max(3, 4 * cores + 1);
    const reply = control(`/scale?n=${n}`);
    await waitForEvents(app.events, listeningAs(2, 0), 30_000);
    const exit = await stop(app);
    const answer = await within(reply, 10_000, undefined);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(answer?.error).toMatchObject({ name: 'ClusterStoppingError', message: expect.stringMatching(new RegExp(`scale\\(${n}\\) ended after [01] of ${n - 2} worker`)) });
    if (n > 4 * cores) expect(lines(app.proc.stderr(), new RegExp(`scale\\(${n}\\): ${n} workers on ${cores} CPU\\(s\\).*more than 4 per CPU`))).toHaveLength(1);
    expect(lines(app.proc.stderr(), KEEP_SERVING)).toEqual([]);
  }, 60_000);
});

describe('bounds on workers', () => {
  test('workers: 1e9 fails at once, naming the option and the maximum, before anything is allocated or forked', async () => {
    const started = Date.now();
    const run = await runNode(MANAGER_APP, { env: { WORKERS: '1e9', EVENTS_FILE: '/dev/null', CONTROL_PORT: '0' }, timeoutMs: 8_000 });
    const ms = Date.now() - started;
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/runCluster: invalid option workers: expected at most 1024 workers, got 1000000000/);
    expect(ms).toBeLessThan(5_000);
    report('workers: 1e9', { ms, exit: run.code });
  }, 20_000);
});

describe("reloadSignal: 'SIGHUP' and a closed terminal", () => {
  test('SIGHUP to the whole process group: the workers leave it to the primary, which reloads; no worker stops on its own, nothing respawns', async () => {
    const { app } = await startManager({ RELOAD_SIGNAL: 'SIGHUP' }, { detached: true });
    process.kill(-app.proc.pid, 'SIGHUP');
    const events = await waitForEvents(app.events, (ev) => named(ev, 'reload').length === 1, 30_000);
    await waitForEvents(app.events, (ev) => named(ev, 'worker-exit').length >= 2, 15_000).catch(() => undefined);
    const after = app.read();
    expect(named(events, 'reload')[0]!.error).toBeUndefined();
    expect(named(events, 'reload')[0]!.replaced).toHaveLength(2);
    expect(named(after, 'respawn')).toEqual([]);
    expect(named(after, 'worker-exit').map((e) => [e.generation, e.expected])).toEqual([
      [0, true],
      [0, true],
    ]);
    expect(lines(app.proc.stderr(), /exited with code|was killed by/)).toEqual([]);
    expect(await stop(app)).toEqual({ code: 0, signal: null });
  }, 60_000);
});

describe("a worker's identity is its own", () => {
  test("a worker's plain fork, spawn and thread start as themselves; spawnChild still hands its own slot; the worker keeps its identity", async () => {
    const app = startApp({}, join(FIXTURES, 'grandchild-app.js'));
    const events = await waitForEvents(app.events, (ev) => named(ev, 'jobs-done').length === 1, 30_000);
    const [done] = named(events, 'jobs-done');
    const workerPid = done!.pid;
    const job = (kind: string): HookEvent | undefined => named(events, 'job', (e) => e.kind === kind)[0];
    expect(done).toMatchObject({ runtime: 'cluster', workerIndex: 0, primaryPid: app.proc.pid });
    expect(job('fork')).toMatchObject({ runtime: 'child_process', workerIndex: 0, workerId: String(job('fork')?.pid), primaryPid: workerPid });
    expect(job('spawn')).toMatchObject({ runtime: 'standalone', workerIndex: 0, workerId: String(job('spawn')?.pid) });
    expect(job('spawn')?.primaryPid).toBeUndefined();
    expect(job('thread')).toMatchObject({ runtime: 'worker_threads', pid: workerPid });
    expect(job('thread')?.workerId).not.toBe(done!.workerId);
    expect(job('spawnChild')).toMatchObject({ runtime: 'child_process', workerIndex: 7, primaryPid: workerPid });
    expect(await stop(app)).toEqual({ code: 0, signal: null });
  }, 60_000);
});

// unshare needs root (or user namespaces); the CI machine and the dev machine run the suite as root.
const canUnshare = process.getuid?.() === 0 && existsSync('/usr/bin/unshare');
const inNamespace = canUnshare ? test : test.skip;

describe('the primary as PID 1, and pids that come round again', () => {
  inNamespace('PID 1 says once that orphans are not reaped; the cluster /metrics scrapes a new worker whose pid an exited one had', async () => {
    const port = await freePort();
    // A pid namespace whose pid_max is 330: after the first wrap, pids cycle through about 30 numbers,
    // so a respawned worker soon gets the pid of one that exited. The loop burns pids up to 318 first.
    const setup = 'echo 330 > /proc/sys/kernel/pid_max && while [ $(sh -c "echo \\$\\$") -lt 318 ]; do :; done && exec "$0" "$@"';
    const proc = startNode(join(FIXTURES, 'pid-reuse-app.js'), {
      node: '/usr/bin/unshare',
      nodeArgs: ['--pid', '--fork', '--mount-proc', '--kill-child', 'sh', '-c', setup, process.execPath],
      env: { OTEL_METRICS_EXPORTER: 'prometheus', OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(port), ROUNDS: '16', REUSED_ROUNDS: '2' },
    });
    const exit = await within(proc.exited, 45_000, 'timeout' as const);
    if (exit === 'timeout') proc.child.kill('SIGKILL');
    const result = JSON.parse(/RESULT (.*)/.exec(proc.stdout())?.[1] ?? '{}') as { rounds?: Array<{ pid: number; reused: boolean; answered: number }> };
    const rounds = result.rounds ?? [];
    expect(exit).toEqual({ code: 0, signal: null });
    expect(lines(proc.stderr(), /the cluster primary is PID 1 .*orphaned grandchildren .*stay zombies.*docker run --init`, tini or dumb-init/)).toHaveLength(1);
    expect(rounds.filter((r) => r.reused).length).toBeGreaterThanOrEqual(1);
    expect(rounds.map((r) => r.answered)).toEqual(rounds.map(() => 1));
    report('cluster /metrics, reused pids', { rounds: rounds.length, reused: rounds.filter((r) => r.reused).length, unanswered: rounds.filter((r) => r.answered !== 1).length });
  }, 60_000);
});

describe('a reload while the collector is down', () => {
  // Each old worker's flush against the dead collector takes its whole deadline.
  const DEADLINE_MS = 4_000;
  test('takes about as long as with the collector up; each old worker flushes within its own deadline, none is killed', async () => {
    const collector = await suite.receiverOn();
    const { app, port, control } = await startManager({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, FORKHOOKS_SHUTDOWN_TIMEOUT_MS: String(DEADLINE_MS) });
    const traffic = async (): Promise<void> => {
      for (let i = 0; i < 20; i++) await httpGet(`http://127.0.0.1:${port}/`);
    };
    await traffic();
    const up = await control('/reload');
    await collector.close();
    await traffic();
    const down = await control('/reload');
    // The collector comes back on its port: the stop need not wait for four more flushes to time out.
    await suite.receiverOn(Number(new URL(collector.url).port));
    const exit = await stop(app);
    expect(up.ok).toBe(true);
    expect(down.ok).toBe(true);
    expect(exit).toEqual({ code: 0, signal: null });
    // Before: each old worker's stop (its span and metric flush against a dead collector, up to its
    // deadline) ran before the next slot's replacement, so 2 workers took two deadlines more.
    expect(down.ms).toBeLessThan(up.ms + DEADLINE_MS);
    // The structure, free of timing: slot 1's replacement was serving before slot 0's old worker
    // (generation 1, flushing into the dead collector) had exited.
    const events = app.read();
    const at = (where: (e: HookEvent) => boolean): number => events.findIndex(where);
    const oldSlot0 = named(events, 'listening', (e) => e.workerIndex === 0 && e.generation === 1)[0]!.pid;
    expect(at((e) => e.event === 'listening' && e.workerIndex === 1 && e.generation === 2)).toBeLessThan(at((e) => e.event === 'worker-exit' && e.pid === oldSlot0));
    expect(lines(app.proc.stderr(), /did not exit within/)).toEqual([]);
    expect(named(app.read(), 'worker-exit').every((e) => e.expected === true && e.forced === false)).toBe(true);
    report('reload with the collector down', { upMs: up.ms, downMs: down.ms, deadlineMs: DEADLINE_MS });
  }, 90_000);
});
