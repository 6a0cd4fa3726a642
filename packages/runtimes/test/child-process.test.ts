import { join } from 'node:path';
import { HookRegistry } from '@forkhooks/core';
import { readEvents, reapLeftovers, startNode, tempDir, waitForEvents, waitGone } from '../../../test-utils/processes';
import { sleep } from '../../../test-utils/time';
import { spawnChild, WorkerExitedError } from '../src';
import { assertBuilt, expectAtexitLifo, expectStartedOnce, FIXTURES, identity, named, position, workerPids } from './helpers';

const PARENT = join(FIXTURES, 'child-parent.js');
const CHILD = join(FIXTURES, 'child-worker.js');
const learned = new Set<number>();
const dir = tempDir('forkhooks-child-');
let counter = 0;
const eventsFile = (): string => join(dir.path, `events-${++counter}.jsonl`);

beforeAll(assertBuilt);
afterAll(async () => {
  const left = await reapLeftovers(learned);
  dir.cleanup();
  expect(left).toEqual([]);
});

describe('spawnChild', () => {
  test('prefork in the parent per spawn; postfork once in each child before main; a graceful stop runs atexit LIFO in children, then the parent; all exit 0', async () => {
    const file = eventsFile();
    const parent = startNode(PARENT, { env: { EVENTS_FILE: file } });
    await parent.waitFor(/ALL READY/);
    let events = readEvents(file);
    const children = workerPids(events);
    children.forEach((pid) => learned.add(pid));
    expect(children).toHaveLength(2);

    const preforks = named(events, 'prefork');
    expect(preforks.map((e) => [e.pid, e.runtime, e.workerIndex, e.generation])).toEqual([
      [parent.pid, 'child_process', 0, 0],
      [parent.pid, 'child_process', 1, 0],
    ]);
    for (const pid of children) {
      const postfork = expectStartedOnce(events, (e) => e.pid === pid);
      expect(postfork).toMatchObject({ runtime: 'child_process', primaryPid: parent.pid });
      const prefork = preforks.find((p) => p.workerIndex === postfork.workerIndex)!;
      expect(identity(postfork)).toEqual(identity(prefork));
    }

    parent.child.kill('SIGTERM');
    expect(await parent.exited).toEqual({ code: 0, signal: null });
    events = readEvents(file);
    for (const pid of children) expectAtexitLifo(events, (e) => e.pid === pid, 'message');
    expect(named(events, 'worker-exit').map((e) => [e.code, e.signal])).toEqual([
      [0, null],
      [0, null],
    ]);
    expectAtexitLifo(events, (e) => e.pid === parent.pid, 'signal');
    expect(position(events, (e) => e.event === 'atexit' && e.pid === parent.pid)).toBeGreaterThan(position(events, (e) => e.event === 'worker-exit'));
    expect(await waitGone([parent.pid, ...children])).toEqual([]);
  });

  test('SIGKILL of the parent: each child sees its IPC channel close, runs atexit (reason disconnect) and exits', async () => {
    const file = eventsFile();
    const parent = startNode(PARENT, { env: { EVENTS_FILE: file } });
    await parent.waitFor(/ALL READY/);
    const children = workerPids(readEvents(file));
    children.forEach((pid) => learned.add(pid));
    parent.child.kill('SIGKILL');
    expect(await waitGone(children, 5_000)).toEqual([]);
    const events = readEvents(file);
    for (const pid of children) expectAtexitLifo(events, (e) => e.pid === pid, 'disconnect');
  });

  test('handle: prefork runs here with the slot; a child whose postfork throws rejects ready with the hook name and exits 1', async () => {
    const file = eventsFile();
    const registry = new HookRegistry();
    const seen: unknown[] = [];
    registry.add('prefork', (ctx) => void seen.push([ctx.pid, ctx.runtime, ctx.workerIndex, ctx.generation]));
    const env = { ...process.env, EVENTS_FILE: file, FAIL_POSTFORK_SLOT: '3' };
    const child = await spawnChild(CHILD, { workerIndex: 3, generation: 2, registry, env, shutdownTimeoutMs: 2_000, fork: { silent: true } });
    learned.add(child.pid);
    expect(seen).toEqual([[process.pid, 'child_process', 3, 2]]);

    const error = await child.ready.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerExitedError);
    expect(error).toMatchObject({ code: 'FORKHOOKS_ERR_WORKER_EXITED', workerIndex: 3, exitCode: 1 });
    expect((error as Error).message).toMatch(/child process 3 exited with code 1 before it was ready: postfork hook "recordPostfork" failed: cannot start slot 3/);
    expect(await child.exited).toEqual({ code: 1, signal: null, failure: expect.objectContaining({ phase: 'postfork', hookName: 'recordPostfork' }) });
    expect(named(readEvents(file), 'postfork').map((e) => [e.pid, e.workerIndex, e.generation])).toEqual([[child.pid, 3, 2]]);
  });

  test('a critical prefork hook that throws rejects spawnChild with its HookError, and nothing is forked', async () => {
    const registry = new HookRegistry();
    registry.add('prefork', function refuse() {
      throw new Error('no capacity');
    });
    const file = eventsFile();
    const env = { ...process.env, EVENTS_FILE: file };
    await expect(spawnChild(CHILD, { registry, env })).rejects.toMatchObject({ name: 'HookError', phase: 'prefork', hookName: 'refuse' });
    // A forked child would have written its postfork by now.
    await sleep(500);
    expect(readEvents(file)).toEqual([]);
  });

  test('handle: stop() of a hung child waits for the deadline, then SIGKILLs it by pid', async () => {
    const file = eventsFile();
    const env = { ...process.env, EVENTS_FILE: file, HANG_AFTER_READY: '1', FORKHOOKS_LOG: 'silent' };
    const child = await spawnChild(CHILD, { env, shutdownTimeoutMs: 300, drainTimeoutMs: 0, fork: { silent: true } });
    learned.add(child.pid);
    await child.ready;
    await waitForEvents(file, (events) => named(events, 'hanging').length === 1);
    const started = Date.now();
    expect(await child.stop()).toEqual({ code: null, signal: 'SIGKILL', forced: true });
    // Drain (0 ms), deadline (300 ms) plus the margin (1 s): not before.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_250);
    expect(await child.stop()).toEqual({ code: null, signal: 'SIGKILL', forced: true }); // idempotent
  });
});
