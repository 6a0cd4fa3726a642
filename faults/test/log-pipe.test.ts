// Fault matrix, log pipe rows (issue 11, item 1): the reader of the app's stdout and/or stderr goes
// away (`npm start 2>&1 | tee log` and Ctrl-C, `| head -n 2`, a log shipper that died). Real
// processes and real pipes: the test holds the read ends and destroys them, as `head` exiting does.
// Each variant must come up and keep serving, not spin, exit within its deadline when stopped, and
// deliver every span ended to a collector that is still up.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Receiver } from '@forkhooks/receiver';
import { freePort, httpGet } from '../../test-utils/http';
import { isAlive, readEvents, tempDir, waitGone } from '../../test-utils/processes';
import { APP, FIXTURES, learnedPids, lossPerWorker, named, report, sleep, until, useFaultSuite, within, type App } from './helpers';

const { receiverOn } = useFaultSuite();
const dirs: Array<{ cleanup(): void }> = [];
afterAll(() => dirs.splice(0).forEach((d) => d.cleanup()));

/** The shutdown deadline the app is given; every stop must end within it plus a grace. */
const SHUTDOWN_MS = 4_000;
const EXIT_WITHIN_MS = SHUTDOWN_MS + 4_000;
/** An idle worker uses next to no CPU; the failure this guards against (a write loop) used 24-97 %. */
const MAX_CPU_SHARE = 0.25;

/** utime + stime of `pid`, in clock ticks (100 a second on Linux). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** The share of one CPU each process used over `ms`. */
async function cpuShare(pids: number[], ms = 1_000): Promise<Map<number, number>> {
  const before = new Map(pids.map((pid) => [pid, cpuTicks(pid)]));
  const started = Date.now();
  await sleep(ms);
  const seconds = (Date.now() - started) / 1000;
  return new Map(pids.map((pid) => [pid, (cpuTicks(pid) - (before.get(pid) ?? 0)) / 100 / seconds]));
}

interface PipeRun extends App {
  /** Output read before the pipes were closed (the forwarding primary's pipes stay open). */
  out(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts the app as the leader of its own process group (as a shell job is), with stdout/stderr to
 * pipes this test reads; `close` says which read ends to destroy at once, before the app writes.
 */
function startWithPipes(env: NodeJS.ProcessEnv, close: { stdout: boolean; stderr: boolean }, script = APP): PipeRun {
  const dir = tempDir('forkhooks-logpipe-');
  const events = join(dir.path, 'events.jsonl');
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, FORKHOOKS_LOG: 'info', EVENTS_FILE: events, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  if (child.pid === undefined) throw new Error(`could not spawn ${script}`);
  const pid = child.pid;
  learnedPids([pid]);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  if (close.stdout) child.stdout.destroy();
  if (close.stderr) child.stderr.destroy();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const read = () => readEvents(events);
  dirs.push(dir);
  return {
    proc: { child, pid, stdout: () => out, stderr: () => '', exited, waitFor: () => Promise.reject(new Error('not used')) },
    events,
    read,
    pids() {
      const pids = [...new Set([pid, ...named(read(), 'listening').map((e) => e.pid)])];
      learnedPids(pids);
      return pids;
    },
    out: () => out,
    exited,
  };
}

/** What each variant measured. */
interface Outcome {
  exit: { code: number | null; signal: NodeJS.Signals | null };
  stopMs: number;
  cpu: Map<number, number>;
  requests: number;
  ok: number;
  losses: ReturnType<typeof lossPerWorker>;
  respawns: number;
  pids: number[];
}

/** Runs one variant: wait until every worker listens, serve requests, measure CPU, stop by `stop`, count spans. */
async function runVariant(
  name: string,
  env: NodeJS.ProcessEnv,
  close: { stdout: boolean; stderr: boolean },
  stop: (app: PipeRun) => void,
  receiver: Receiver,
  script = APP,
): Promise<Outcome> {
  const port = await freePort();
  const workers = Number(env.WORKERS ?? 1);
  const app = startWithPipes({ PORT: String(port), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '200', FORKHOOKS_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_MS), ...env }, close, script);
  await until(() => named(app.read(), 'listening').length >= workers, `${workers} worker(s) listening`, 20_000);
  let ok = 0;
  const requests = 40;
  for (let i = 0; i < requests; i++) if ((await httpGet(`http://127.0.0.1:${port}/`)).status === 200) ok++;
  // The workers keep serving: none died and was replaced while the pipes were gone.
  await sleep(300);
  const pids = app.pids();
  const cpu = await cpuShare(pids.filter(isAlive));
  const stopAt = Date.now();
  stop(app);
  const exit = await within(app.exited, EXIT_WITHIN_MS + 5_000, { code: -1, signal: null });
  const stopMs = Date.now() - stopAt;
  await waitGone(pids, 3_000);
  const losses = lossPerWorker(app, receiver);
  const respawns = named(app.read(), 'respawn').length;
  report(name, { stopMs, cpu: [...cpu.values()].map((c) => Math.round(c * 1000) / 10), requests, ok, exit, losses: losses.map(({ stats, received, lost }) => ({ ended: stats.spansEnded, received, lost })) });
  return { exit, stopMs, cpu, requests, ok, losses, respawns, pids };
}

function expectHealthy(o: Outcome, workers: number): void {
  expect(o.ok).toBe(o.requests);
  expect(o.respawns).toBe(0);
  for (const [, share] of o.cpu) expect(share).toBeLessThan(MAX_CPU_SHARE);
  expect(o.stopMs).toBeLessThan(EXIT_WITHIN_MS);
  expect(o.pids.filter(isAlive)).toEqual([]);
  // Every worker flushed at exit, and every span it ended reached the collector.
  expect(o.losses).toHaveLength(workers);
  for (const loss of o.losses) {
    expect(loss.stats.spansEnded).toBeGreaterThan(0);
    expect(loss.received).toBe(loss.stats.spansEnded);
  }
}

describe('a log pipe that goes away', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await receiverOn();
  });

  it('stdout and stderr to a pipe that closes (`2>&1 | tee`), then Ctrl-C to the group: serves, no spin, every span flushed', async () => {
    const o = await runVariant('log pipe: stdout+stderr closed, SIGINT to the group', { WORKERS: '2' }, { stdout: true, stderr: true }, (app) => process.kill(-app.proc.pid, 'SIGINT'), receiver);
    expect(o.exit).toEqual({ code: 0, signal: null });
    expectHealthy(o, 2);
  });

  it('stderr only closed (`2> >(head -n 1)`): serves, no spin, SIGTERM stops it with every span flushed', async () => {
    const o = await runVariant('log pipe: stderr closed, SIGTERM', { WORKERS: '2' }, { stdout: false, stderr: true }, (app) => app.proc.child.kill('SIGTERM'), receiver);
    expect(o.exit).toEqual({ code: 0, signal: null });
    expectHealthy(o, 2);
  });

  it('stdout only closed (`2>err | head -n 2`): the service comes up and keeps serving, no crash loop', async () => {
    const o = await runVariant('log pipe: stdout closed, SIGTERM', { WORKERS: '2' }, { stdout: true, stderr: false }, (app) => app.proc.child.kill('SIGTERM'), receiver);
    expect(o.exit).toEqual({ code: 0, signal: null });
    expectHealthy(o, 2);
  });

  it('a standalone worker with stdout and stderr closed (`| head -2`): serves, no spin, SIGINT flushes', async () => {
    const o = await runVariant('log pipe: standalone, both closed, SIGINT', {}, { stdout: true, stderr: true }, (app) => process.kill(-app.proc.pid, 'SIGINT'), receiver);
    expect(o.exit).toEqual({ code: 0, signal: null });
    expectHealthy(o, 1);
  });

  it("the workers' pipes closed by a log-forwarding primary: they serve, do not spin, and flush at SIGTERM", async () => {
    const o = await runVariant(
      'log pipe: workers\' pipes closed by a forwarding primary, SIGTERM',
      { WORKERS: '2' },
      { stdout: false, stderr: false },
      (app) => app.proc.child.kill('SIGTERM'),
      receiver,
      join(FIXTURES, 'forwarding-primary.js'),
    );
    expect(o.exit).toEqual({ code: 0, signal: null });
    expectHealthy(o, 2);
  });
});
