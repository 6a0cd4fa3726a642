// Fault matrix, error-value rows (issue 11, item 4): hooks and the app throw values that cannot be
// described (message/toString/toJSON getters that throw, a circular null-prototype object, a revoked
// Proxy), or return a thenable whose `then` getter throws. Real processes, real exports to the
// receiver: the failing hook is named, later hooks and the span flush still run, nothing is lost.
import { freePort, httpGet } from '../../test-utils/http';
import { waitGone } from '../../test-utils/processes';
import { type App, lines, linesByPid, listeningPort, lossPerWorker, named, report, startApp, until, useFaultSuite } from './helpers';

const { receiverOn } = useFaultSuite();

/** Sends `n` requests to the app on `port`; returns how many got a 200. */
async function serve(port: number, n: number): Promise<number> {
  let ok = 0;
  for (let i = 0; i < n; i++) if ((await httpGet(`http://127.0.0.1:${port}/`)).status === 200) ok++;
  return ok;
}

describe('a postfork hook throws a value that cannot be described', () => {
  it.each(['getters', 'circular', 'proxy'])('(%s): the worker and the primary both name the hook and the phase', async (value) => {
    const receiver = await receiverOn();
    const app = startApp({ WORKERS: '1', PORT: String(await freePort()), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, HOSTILE_FAULT: 'postfork', HOSTILE_VALUE: value });
    const exit = await app.proc.exited;
    expect(exit).toEqual({ code: 1, signal: null }); // the crash loop: the hook fails in every worker
    const out = app.proc.stderr();
    const byPid = linesByPid(out, /worker failed/);
    byPid.delete(app.proc.pid);
    expect(byPid.size).toBeGreaterThanOrEqual(1);
    for (const [, said] of byPid) expect(said).toEqual([expect.stringMatching(/\[forkhooks error .*\] worker failed: postfork hook "openPool" failed: \S/)]);
    // The primary's line for each exit, and its crash-loop line, carry the hook's name and phase.
    const exits = lines(out, /\[forkhooks warn .*\] worker 0 \(pid \d+\) exited with code 1/);
    expect(exits.length).toBeGreaterThanOrEqual(1);
    for (const line of exits) expect(line).toMatch(/: postfork hook "openPool" failed: \S/);
    expect(out).not.toMatch(/main failed/);
    expect(lines(out, /cluster primary failed \(crash loop\)/)).toEqual([expect.stringMatching(/postfork hook "openPool" failed/)]);
    expect(await waitGone(app.pids(), 3_000)).toEqual([]);
    report(`postfork hook throws an undescribable value (${value})`, { exitCode: exit.code, workerLines: byPid.size });
  });
});

describe('an atexit hook fails with a value that cannot be described', () => {
  /** Standalone app: serve, SIGTERM, and what it said and delivered. */
  async function stopWith(env: NodeJS.ProcessEnv): Promise<{ app: App; exit: { code: number | null; signal: NodeJS.Signals | null }; ok: number }> {
    const receiver = await receiverOn();
    const app = startApp({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, FORKHOOKS_SHUTDOWN_TIMEOUT_MS: '5000', ...env });
    const port = await listeningPort(app);
    const ok = await serve(port, 30);
    app.proc.child.kill('SIGTERM');
    const exit = await app.proc.exited;
    const losses = lossPerWorker(app, receiver);
    expect(losses).toHaveLength(1);
    expect(losses[0].stats.spansEnded).toBeGreaterThanOrEqual(30);
    expect(losses[0].received).toBe(losses[0].stats.spansEnded); // the flush ran: every span ended arrived
    report(`atexit hook: ${env.HOSTILE_FAULT} (${env.HOSTILE_VALUE ?? 'getters'})`, { exitCode: exit.code, ended: losses[0].stats.spansEnded, received: losses[0].received });
    return { app, exit, ok };
  }

  it.each(['getters', 'circular', 'proxy'])('(%s) thrown: the hook is named as failed, later hooks run, every span is received', async (value) => {
    const { app, exit, ok } = await stopWith({ HOSTILE_FAULT: 'atexit', HOSTILE_VALUE: value });
    expect(ok).toBe(30);
    expect(exit).toEqual({ code: 0, signal: null });
    const out = app.proc.stderr();
    expect(lines(out, /atexit hook "closeQueue" failed: \S/)).toHaveLength(1);
    expect(named(app.read(), 'atexit').map((e) => e.hook)).toEqual(['closeDb']); // the hook after it ran
    expect(out).toMatch(/atexit done: 4\/5 hooks ok; exiting 0/); // closeQueue failed; closeDb, close-server, the metrics flush and the span flush ran
    expect(out).not.toMatch(/already stopping/);
  });

  it('a thenable whose `then` getter throws: that hook fails by name, later hooks run, every span is received', async () => {
    const { app, exit } = await stopWith({ HOSTILE_FAULT: 'thenable' });
    expect(exit).toEqual({ code: 0, signal: null });
    const out = app.proc.stderr();
    expect(lines(out, /atexit hook "closeQueue" failed: then getter boom/)).toHaveLength(1);
    expect(named(app.read(), 'atexit').map((e) => e.hook)).toEqual(['closeDb']);
    expect(out).toMatch(/atexit done: 4\/5 hooks ok; exiting 0/);
  });
});

describe('an uncaught exception or unhandled rejection with a value that cannot be described', () => {
  it.each([
    ['uncaught', 'getters', 'uncaught exception'],
    ['uncaught', 'circular', 'uncaught exception'],
    ['uncaught', 'proxy', 'uncaught exception'],
    ['rejection', 'getters', 'unhandled rejection'],
    ['rejection', 'circular', 'unhandled rejection'],
  ])('%s (%s) in a worker: one fatal line, atexit runs, every span is received; a later SIGTERM changes nothing', async (fault, value, detail) => {
    const receiver = await receiverOn();
    const app = startApp({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, FORKHOOKS_SHUTDOWN_TIMEOUT_MS: '5000', HOSTILE_FAULT: fault, HOSTILE_VALUE: value, HOSTILE_AFTER_MS: '1500' });
    const port = await listeningPort(app);
    expect(await serve(port, 30)).toBe(30);
    await until(() => named(app.read(), 'throwing').length > 0, 'the uncaught exception', 10_000);
    app.proc.child.kill('SIGTERM'); // as the issue did: the stop must not be lost either way
    const exit = await app.proc.exited;
    expect(exit).toEqual({ code: 1, signal: null });
    const out = app.proc.stderr();
    expect(lines(out, new RegExp(`\\[forkhooks error .*\\] worker failed \\(${detail}\\): \\S`))).toHaveLength(1);
    expect(out).toMatch(/atexit done: 3\/3 hooks ok; exiting 1/);
    const [loss] = lossPerWorker(app, receiver);
    expect(loss.stats.spansEnded).toBeGreaterThanOrEqual(30);
    expect(loss.received).toBe(loss.stats.spansEnded);
    report(`${detail} with an undescribable value (${value})`, { exitCode: exit.code, ended: loss.stats.spansEnded, received: loss.received });
  });
});
