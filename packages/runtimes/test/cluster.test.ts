import { join } from 'node:path';
import { readEvents, reapLeftovers, startNode, tempDir, waitForEvents, waitGone, type HookEvent } from '../../../test-utils/processes';
import { assertBuilt, expectAtexitLifo, expectStartedOnce, FIXTURES, identity, named, position, workerPids } from './helpers';

const APP = join(FIXTURES, 'cluster-app.js');
const learned = new Set<number>();
const dirs: Array<{ cleanup(): void }> = [];

function eventsFile(): string {
  const dir = tempDir('forkhooks-cluster-');
  dirs.push(dir);
  return join(dir.path, 'events.jsonl');
}

function learn(events: HookEvent[]): number[] {
  const pids = workerPids(events);
  pids.forEach((pid) => learned.add(pid));
  return pids;
}

beforeAll(assertBuilt);
afterAll(async () => {
  const left = await reapLeftovers(learned);
  dirs.forEach((d) => d.cleanup());
  expect(left).toEqual([]);
});

describe('runCluster', () => {
  test('prefork in the primary before every fork; postfork once in each worker before main; SIGTERM stops all with atexit LIFO, exit 0', async () => {
    const file = eventsFile();
    // The workers' atexit takes 500 ms, so the second signal surely lands while the primary stops.
    const primary = startNode(APP, { env: { EVENTS_FILE: file, ATEXIT_DELAY_MS: '500' } });
    await primary.waitFor(/ALL READY/);
    let events = readEvents(file);
    const workers = learn(events);
    expect(workers).toHaveLength(2);
    expect(workers).not.toContain(primary.pid);

    // The primary's handle lists the slots; each worker's handle resolved ready after its main.
    const slots = named(events, 'all-ready')[0]!.slots as Array<{ workerIndex: number; pid: number; state: string }>;
    expect(slots.map((w) => [w.workerIndex, w.state])).toEqual([
      [0, 'ready'],
      [1, 'ready'],
    ]);
    expect(slots.map((w) => w.pid).sort()).toEqual([...workers].sort());
    events = await waitForEvents(file, (ev) => named(ev, 'worker-handle-ready').length === 2);
    for (const pid of workers) {
      expect(position(events, (e) => e.event === 'worker-handle-ready' && e.pid === pid)).toBeGreaterThan(position(events, (e) => e.event === 'main' && e.pid === pid));
    }

    const preforks = named(events, 'prefork');
    expect(preforks.map((e) => [e.pid, e.runtime, e.workerIndex, e.generation])).toEqual([
      [primary.pid, 'cluster', 0, 0],
      [primary.pid, 'cluster', 1, 0],
    ]);
    expect(position(events, (e) => e.event === 'primary')).toBeLessThan(position(events, (e) => e.event === 'prefork'));
    for (const pid of workers) {
      const postfork = expectStartedOnce(events, (e) => e.pid === pid);
      expect(postfork).toMatchObject({ runtime: 'cluster', generation: 0, primaryPid: primary.pid });
      const prefork = preforks.find((p) => p.workerIndex === postfork.workerIndex)!;
      // The worker got the very context prefork saw for it.
      expect(identity(postfork)).toEqual(identity(prefork));
      expect(position(events, (e) => e === prefork)).toBeLessThan(position(events, (e) => e === postfork));
    }

    primary.child.kill('SIGTERM');
    await primary.waitFor(/stopping 2 worker\(s\) \(SIGTERM\)/);
    primary.child.kill('SIGINT'); // a second signal is no second stop: a first Ctrl-C during a stop only says how to force
    expect(await primary.exited).toEqual({ code: 0, signal: null });
    events = readEvents(file);
    // The primary tells each worker with { forkhooks: 'stop' } (never a disconnect, which waits for open connections).
    for (const pid of workers) expectAtexitLifo(events, (e) => e.pid === pid, 'message');
    expectAtexitLifo(events, (e) => e.pid === primary.pid, 'signal');
    const lastWorkerAtexit = Math.max(...workers.map((pid) => events.map((e) => e.event === 'atexit' && e.pid === pid).lastIndexOf(true)));
    expect(position(events, (e) => e.event === 'atexit' && e.pid === primary.pid)).toBeGreaterThan(lastWorkerAtexit);
    expect(named(events, 'worker-exit').map((e) => [e.code, e.signal, e.expected, e.forced])).toEqual([
      [0, null, true, false],
      [0, null, true, false],
    ]);
    expect(primary.stderr()).toMatch(/stopping \(waiting for \d worker\(s\) to drain and run atexit, up to \d+ ms left\); press Ctrl-C again to force exit/);
    expect(await waitGone([primary.pid, ...workers])).toEqual([]);
  });

  test('a SIGKILLed worker is replaced in its slot: prefork and postfork run again with generation 1', async () => {
    const file = eventsFile();
    const primary = startNode(APP, { env: { EVENTS_FILE: file } });
    await primary.waitFor(/ALL READY/);
    const victim = named(readEvents(file), 'postfork', (e) => e.workerIndex === 1)[0]!;
    learn(readEvents(file));
    process.kill(victim.pid, 'SIGKILL');

    let events = await waitForEvents(file, (ev) => named(ev, 'worker-ready', (e) => e.generation === 1).length === 1);
    const [replacement] = learn(events).filter((pid) => pid !== victim.pid && named(events, 'postfork', (e) => e.pid === pid && e.generation === 1).length > 0);
    expect(replacement).toBeDefined();
    const postfork = expectStartedOnce(events, (e) => e.pid === replacement);
    expect(postfork).toMatchObject({ workerIndex: 1, generation: 1, runtime: 'cluster' });
    const prefork = named(events, 'prefork', (e) => e.generation === 1);
    expect(prefork.map((e) => [e.pid, e.workerIndex, e.workerId])).toEqual([[primary.pid, 1, postfork.workerId]]);
    expect(position(events, (e) => e === prefork[0])).toBeGreaterThan(position(events, (e) => e.event === 'worker-exit' && e.pid === victim.pid));
    expect(named(events, 'respawn')).toEqual([expect.objectContaining({ workerIndex: 1, generation: 1, delayMs: 100 })]);
    expect(named(events, 'worker-exit')).toEqual([expect.objectContaining({ pid: victim.pid, signal: 'SIGKILL', expected: false })]);
    // Slot 0 was left alone.
    expect(named(events, 'prefork', (e) => e.workerIndex === 0)).toHaveLength(1);

    primary.child.kill('SIGTERM');
    expect(await primary.exited).toEqual({ code: 0, signal: null });
    events = readEvents(file);
    expectAtexitLifo(events, (e) => e.pid === replacement, 'message');
    expect(named(events, 'atexit', (e) => e.pid === victim.pid)).toEqual([]); // SIGKILL runs nothing
    expect(await waitGone([primary.pid, ...learn(events)])).toEqual([]);
  });

  test('a worker whose postfork always throws: the primary gives up within bounds, naming slot and hook, stops the others, exits 1', async () => {
    const file = eventsFile();
    const started = Date.now();
    const primary = startNode(APP, { env: { EVENTS_FILE: file, FAIL_POSTFORK_SLOT: '1' } });
    const exit = await primary.exited;
    const elapsed = Date.now() - started;
    const events = readEvents(file);
    const workers = learn(events);

    expect(exit).toEqual({ code: 1, signal: null });
    expect(elapsed).toBeLessThan(15_000);
    // Default policy: 5 failures within a minute, 100 ms doubling between respawns.
    expect(named(events, 'postfork', (e) => e.workerIndex === 1).map((e) => e.generation)).toEqual([0, 1, 2, 3, 4]);
    expect(named(events, 'respawn').map((e) => e.delayMs)).toEqual([100, 200, 400, 800]);
    const [givingUp] = named(events, 'giving-up');
    expect(givingUp).toMatchObject({ code: 'FORKHOOKS_ERR_CRASH_LOOP', workerIndex: 1, hookName: 'recordPostfork' });
    expect(String(givingUp!.message)).toMatch(/worker slot 1 failed 5 times .*exited with code 1.*postfork hook "recordPostfork" failed: cannot start slot 1/);
    // One line for the crash loop (issue 22): said when the primary gives up, not again as its fatal error.
    expect(primary.stderr().match(/worker slot 1 failed 5 times/g)).toHaveLength(1);
    expect(named(events, 'ready-rejected')).toHaveLength(1);

    // The healthy worker of slot 0 was stopped gracefully; the primary ran its atexit with the error.
    const [healthy] = named(events, 'postfork', (e) => e.workerIndex === 0).map((e) => e.pid);
    expectAtexitLifo(events, (e) => e.pid === healthy, 'message');
    expectAtexitLifo(events, (e) => e.pid === primary.pid, 'error');
    // Each failed worker ran its atexit too (reason 'error'), and exited 1.
    for (const failed of named(events, 'postfork', (e) => e.workerIndex === 1)) expectAtexitLifo(events, (e) => e.pid === failed.pid, 'error');
    expect(await waitGone([primary.pid, ...workers])).toEqual([]);
  });

  test('a prefork hook that always throws for a slot: that worker is never forked, and the primary gives up naming the prefork hook', async () => {
    const file = eventsFile();
    const primary = startNode(APP, { env: { EVENTS_FILE: file, FAIL_PREFORK_SLOT: '1' } });
    const exit = await primary.exited;
    const events = readEvents(file);
    const workers = learn(events);

    expect(exit).toEqual({ code: 1, signal: null });
    expect(named(events, 'postfork', (e) => e.workerIndex === 1)).toEqual([]);
    // A failed prefork forks nothing, so the retry keeps the generation.
    expect(named(events, 'prefork', (e) => e.workerIndex === 1).map((e) => e.generation)).toEqual([0, 0, 0, 0, 0]);
    expect(named(events, 'giving-up')).toEqual([expect.objectContaining({ workerIndex: 1, hookName: 'recordPrefork' })]);
    expect(primary.stderr()).toMatch(/prefork failed in the primary; prefork hook "recordPrefork" failed: prefork refused slot 1/);
    expect(await waitGone([primary.pid, ...workers])).toEqual([]);
  });

  test('handle.stop() in the primary is the same graceful stop: workers atexit (stop message), then the primary (reason exit), exit 0', async () => {
    const file = eventsFile();
    const primary = startNode(APP, { env: { EVENTS_FILE: file, STOP_AFTER_READY: '1' } });
    expect(await primary.exited).toEqual({ code: 0, signal: null });
    const events = readEvents(file);
    const workers = learn(events);
    expect(workers).toHaveLength(2);
    // The primary tells each worker with { forkhooks: 'stop' } (never a disconnect, which waits for open connections).
    for (const pid of workers) expectAtexitLifo(events, (e) => e.pid === pid, 'message');
    expectAtexitLifo(events, (e) => e.pid === primary.pid, 'exit');
    expect(await waitGone(workers)).toEqual([]);
  });

  test('restart: false leaves a dead worker dead; when the last one is gone the primary stops with exit 1, naming it', async () => {
    const file = eventsFile();
    const primary = startNode(APP, { env: { EVENTS_FILE: file, RESTART_OFF: '1' } });
    await primary.waitFor(/ALL READY/);
    const [first, second] = named(readEvents(file), 'postfork').sort((a, b) => Number(a.workerIndex) - Number(b.workerIndex));
    learn(readEvents(file));
    process.kill(first!.pid, 'SIGKILL');
    await waitForEvents(file, (ev) => named(ev, 'worker-exit').length === 1);
    process.kill(second!.pid, 'SIGKILL');
    expect(await primary.exited).toEqual({ code: 1, signal: null });
    const events = readEvents(file);
    expect(named(events, 'prefork')).toHaveLength(2);
    expect(named(events, 'respawn')).toEqual([]);
    expect(primary.stderr()).toMatch(/cluster worker 1 was killed by SIGKILL and restart is off; every worker has exited, so the primary stops/);
    expectAtexitLifo(events, (e) => e.pid === primary.pid, 'error');
  });

  test('SIGKILL of the primary: every worker notices, runs its atexit (reason disconnect) and is gone within seconds', async () => {
    const file = eventsFile();
    const primary = startNode(APP, { env: { EVENTS_FILE: file } });
    await primary.waitFor(/ALL READY/);
    const workers = learn(readEvents(file));
    primary.child.kill('SIGKILL');
    expect(await primary.exited).toEqual({ code: null, signal: 'SIGKILL' });

    expect(await waitGone(workers, 5_000)).toEqual([]);
    const events = readEvents(file);
    for (const pid of workers) expectAtexitLifo(events, (e) => e.pid === pid, 'disconnect');
    expect(named(events, 'atexit', (e) => e.pid === primary.pid)).toEqual([]);
  });
});
