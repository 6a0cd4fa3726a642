// Fault matrix, hook rows: prefork and postfork hooks that throw or hang, a best-effort hook that
// fails, an atexit hook that hangs. Real processes: the traced app as a runCluster of 2 workers (or one
// standalone worker), with faulty hooks switched on by faults/fixtures/faulty-hooks.js.
import type { Receiver } from '@forkhooks/receiver';
import { freePort, httpGet } from '../../test-utils/http';
import { watchChildren } from '../../test-utils/procfs';
import { waitGone } from '../../test-utils/processes';
import {
  type App,
  learnedPids,
  lines,
  linesByPid,
  listeningPort,
  lossPerWorker,
  named,
  report,
  startApp,
  useFaultSuite,
  type WorkerLoss,
} from './helpers';

const suite = useFaultSuite();
let receiver: Receiver;
beforeAll(async () => {
  receiver = await suite.receiverOn();
});

/** Runs the cluster app to its end, watching every process the primary forks. */
async function runCluster(env: NodeJS.ProcessEnv): Promise<{ app: App; exit: { code: number | null; signal: NodeJS.Signals | null }; ms: number; forked: number[] }> {
  const started = Date.now();
  const app = startApp({ WORKERS: '2', PORT: String(await freePort()), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ...env });
  const [forked, exit] = await Promise.all([watchChildren(app.proc.pid, app.proc.exited), app.proc.exited]);
  learnedPids(forked);
  return { app, exit, ms: Date.now() - started, forked };
}

describe('prefork hook throws / hangs', () => {
  it.each([
    ['throws', { PREFORK_FAULT: 'throw' }, /prefork hook "failingPrefork" failed: license server unreachable/],
    ['hangs', { PREFORK_FAULT: 'hang', HOOK_TIMEOUT_MS: '300' }, /prefork hook "hangingPrefork" did not settle within 300 ms/],
  ])('a prefork hook that %s: the primary exits non-zero before forking anything, naming the hook', async (_, env, cause) => {
    const { app, exit, ms, forked } = await runCluster(env);
    expect(exit).toEqual({ code: 1, signal: null });
    expect(forked).toEqual([]); // not one worker was forked
    expect(named(app.read(), 'listening')).toEqual([]);
    expect(named(app.read(), 'prefork-attempt').length).toBeGreaterThanOrEqual(1);
    const out = app.proc.stderr();
    expect(out).toMatch(cause);
    // The last word says why the primary gave up, and names the hook.
    expect(lines(out, /\[forkhooks error .*cluster primary failed/)[0]).toMatch(cause);
    expect(ms).toBeLessThan(10_000);
    report(`prefork hook ${_}`, { exitCode: exit.code, ms, forked: forked.length });
  });
});

describe('postfork hook throws / hangs in every worker', () => {
  it.each([
    ['throws', { POSTFORK_FAULT: 'throw' }, /postfork hook "failingPostfork" failed: cannot open the database pool/],
    ['hangs', { POSTFORK_FAULT: 'hang', HOOK_TIMEOUT_MS: '300' }, /postfork hook "hangingPostfork" did not settle within 300 ms/],
  ])('a postfork hook that %s: the primary gives up on the crash loop in bounded time, says why, leaves no orphan', async (_, env, cause) => {
    const { app, exit, ms, forked } = await runCluster(env);
    expect(exit).toEqual({ code: 1, signal: null });
    expect(ms).toBeLessThan(15_000);
    const out = app.proc.stderr();
    const [givingUp] = lines(out, /\[forkhooks error .*cluster primary failed \(crash loop\)/);
    expect(givingUp).toMatch(/worker slot \d failed 5 times within 60000 ms \(last worker exited with code 1; /);
    expect(givingUp).toMatch(cause);
    expect(named(app.read(), 'listening')).toEqual([]); // no worker ever reached main
    // Every worker forked (5 per slot at most, the default crash limit) is gone.
    expect(forked.length).toBeGreaterThanOrEqual(5);
    expect(forked.length).toBeLessThanOrEqual(10);
    expect(await waitGone(forked, 3_000)).toEqual([]);
    report(`postfork hook ${_}`, { exitCode: exit.code, ms, forked: forked.length });
  });
});

describe('best-effort hook fails', () => {
  it('a best-effort postfork hook that throws: logged once per worker with its name, and every worker serves', async () => {
    const port = await freePort();
    const app = startApp({ WORKERS: '2', PORT: String(port), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, BEST_EFFORT_FAULT: 'postfork' });
    await app.proc.waitFor(/ALL READY/);
    const workers = app.pids().filter((pid) => pid !== app.proc.pid);
    const servedBy = new Set<number>();
    for (let i = 0; i < 10; i++) {
      const reply = await httpGet(`http://127.0.0.1:${port}/`);
      expect(reply.status).toBe(200);
      servedBy.add(Number(reply.headers['x-served-by']));
    }
    app.proc.child.kill('SIGTERM');
    expect(await app.proc.exited).toEqual({ code: 0, signal: null });
    expect([...servedBy].sort()).toEqual([...workers].sort());
    const warned = linesByPid(app.proc.stderr(), /postfork hook "optionalWarmup" failed/);
    expect([...warned.keys()].sort()).toEqual([...workers].sort());
    for (const pid of workers) {
      expect(warned.get(pid)).toEqual([expect.stringMatching(/\[forkhooks warn .*postfork hook "optionalWarmup" failed: cache warm-up failed \(best-effort hook: the phase goes on\)$/)]);
    }
    expect(await waitGone(app.pids())).toEqual([]);
  });

  it('a best-effort prefork hook that throws: logged once per spawn in the primary with its name, and the workers start', async () => {
    const port = await freePort();
    const app = startApp({ WORKERS: '2', PORT: String(port), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, BEST_EFFORT_FAULT: 'prefork' });
    await app.proc.waitFor(/ALL READY/);
    expect((await httpGet(`http://127.0.0.1:${port}/`)).status).toBe(200);
    app.proc.child.kill('SIGTERM');
    expect(await app.proc.exited).toEqual({ code: 0, signal: null });
    const warned = linesByPid(app.proc.stderr(), /prefork hook "optionalWarmup" failed/);
    expect([...warned.keys()]).toEqual([app.proc.pid]);
    expect(warned.get(app.proc.pid)).toHaveLength(2); // one per worker spawned
    expect(named(app.read(), 'listening')).toHaveLength(2);
    expect(await waitGone(app.pids())).toEqual([]);
  });
});

describe('atexit hook hangs', () => {
  const DEADLINE_MS = 1_500;
  let app: App;
  let exit: { code: number | null; signal: NodeJS.Signals | null };
  let stopMs: number;
  let losses: WorkerLoss[];

  beforeAll(async () => {
    const t0 = Date.now();
    receiver.reset();
    // Default batch delay (5 s): the spans of these requests wait in the queue for the atexit flush.
    app = startApp({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ATEXIT_HANG: '1', FORKHOOKS_SHUTDOWN_TIMEOUT_MS: String(DEADLINE_MS) });
    const port = await listeningPort(app);
    for (let i = 0; i < 20; i++) expect((await httpGet(`http://127.0.0.1:${port}/`)).status).toBe(200);
    const stopAt = Date.now();
    app.proc.child.kill('SIGTERM');
    exit = await app.proc.exited;
    stopMs = Date.now() - stopAt;
    losses = lossPerWorker(app, receiver);
    report('atexit hook hangs', { scenarioMs: Date.now() - t0, stopMs, losses: losses.map(({ stats, received, lost }) => ({ ...stats, received, lost })) });
  });

  it('exits by the shutdown deadline anyway, naming the hook that hung', async () => {
    expect(exit.code).toBe(0); // a graceful stop whose teardown was cut short is still a graceful stop
    expect(stopMs).toBeLessThan(DEADLINE_MS + 1_000);
    expect(app.proc.stderr()).toMatch(/atexit hook "hangingAtexit" (was cut off|did not settle)/);
    expect(await waitGone(app.pids())).toEqual([]);
  });

  // Regression (fixed in core registry): a hook that hung until the shutdown deadline left no time to the hooks after it
  it('still runs the other atexit hooks, the span flush included: nothing is lost', () => {
    const ran = named(app.read(), 'atexit').map((e) => e.hook);
    expect(ran).toEqual(['closeQueue', 'closeDb']);
    const [worker] = losses;
    expect(worker).toBeDefined();
    expect(worker!.stats.spansEnded).toBe(40); // 20 requests: a server span and a 'work' span each
    expect(worker!.lost).toBe(0);
  });
});
