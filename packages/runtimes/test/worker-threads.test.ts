import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { HookRegistry } from '@forkhooks/core';
import { readEvents, reapLeftovers, startNode, tempDir, waitForEvents, waitGone } from '../../../test-utils/processes';
import { spawnThread, WorkerExitedError } from '../src';
import { assertBuilt, expectAtexitLifo, expectStartedOnce, FIXTURES, identity, named, position } from './helpers';

const PARENT = join(FIXTURES, 'thread-parent.js');
const THREAD = join(FIXTURES, 'child-worker.js');
const dir = tempDir('forkhooks-thread-');
let counter = 0;
const eventsFile = (): string => join(dir.path, `events-${++counter}.jsonl`);

/** The threadId of a new, empty Worker (waited out): thread ids go up by one per Worker this process creates. */
async function probeThreadId(): Promise<number> {
  const probe = new Worker('', { eval: true });
  const { threadId } = probe;
  await new Promise((resolve) => probe.once('exit', resolve));
  return threadId;
}

beforeAll(assertBuilt);
afterAll(async () => {
  const left = await reapLeftovers();
  dir.cleanup();
  expect(left).toEqual([]);
});

describe('spawnThread', () => {
  test('prefork in the parent per spawn; postfork once in each thread (its own registry) before main; a graceful stop runs atexit LIFO in threads, then the parent; exit 0', async () => {
    const file = eventsFile();
    const parent = startNode(PARENT, { env: { EVENTS_FILE: file } });
    await parent.waitFor(/ALL READY/);
    let events = readEvents(file);
    const threads = [...new Set(named(events, 'postfork').map((e) => e.threadId as number))];
    expect(threads).toHaveLength(2);
    expect(threads).not.toContain(0);

    const preforks = named(events, 'prefork');
    expect(preforks.map((e) => [e.pid, e.threadId, e.runtime, e.workerIndex, e.generation])).toEqual([
      [parent.pid, 0, 'worker_threads', 0, 0],
      [parent.pid, 0, 'worker_threads', 1, 0],
    ]);
    for (const threadId of threads) {
      const postfork = expectStartedOnce(events, (e) => e.threadId === threadId);
      expect(postfork).toMatchObject({ runtime: 'worker_threads', pid: parent.pid, ctxThreadId: threadId, primaryPid: parent.pid });
      expect(identity(postfork)).toEqual(identity(preforks.find((p) => p.workerIndex === postfork.workerIndex)!));
    }
    // A postfork hook registered in the parent's registry does not exist in a thread's own registry.
    expect(named(events, 'parent-postfork-ran')).toEqual([]);

    parent.child.kill('SIGTERM');
    expect(await parent.exited).toEqual({ code: 0, signal: null });
    events = readEvents(file);
    for (const threadId of threads) expectAtexitLifo(events, (e) => e.threadId === threadId, 'message');
    expect(named(events, 'worker-exit').map((e) => e.code)).toEqual([0, 0]);
    expectAtexitLifo(events, (e) => e.pid === parent.pid && e.threadId === 0, 'signal');
    expect(position(events, (e) => e.event === 'atexit' && e.threadId === 0)).toBeGreaterThan(position(events, (e) => e.event === 'worker-exit'));
    expect(await waitGone([parent.pid])).toEqual([]);
  });

  test('handle: prefork runs here with the slot; a thread whose postfork throws rejects ready with the hook name and exits 1', async () => {
    const file = eventsFile();
    const registry = new HookRegistry();
    const seen: unknown[] = [];
    registry.add('prefork', (ctx) => void seen.push([ctx.runtime, ctx.workerIndex, ctx.generation]));
    const env = { ...process.env, EVENTS_FILE: file, FAIL_POSTFORK_SLOT: '2', FORKHOOKS_LOG: 'silent' };
    const thread = await spawnThread(THREAD, { workerIndex: 2, generation: 1, registry, env, shutdownTimeoutMs: 2_000 });
    expect(seen).toEqual([['worker_threads', 2, 1]]);

    const error = await thread.ready.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerExitedError);
    expect((error as Error).message).toMatch(/worker thread 2 exited with code 1 before it was ready: postfork hook "recordPostfork" failed/);
    expect(await thread.exited).toMatchObject({ code: 1, terminated: false, failure: { phase: 'postfork', hookName: 'recordPostfork' } });
    expect(named(readEvents(file), 'postfork').map((e) => [e.threadId, e.workerIndex, e.generation])).toEqual([[thread.threadId, 2, 1]]);
  });

  test('a critical prefork hook that throws rejects spawnThread with its HookError, and no thread starts', async () => {
    const registry = new HookRegistry();
    registry.add('prefork', function refuse() {
      throw new Error('no capacity');
    });
    const file = eventsFile();
    const before = await probeThreadId();
    await expect(spawnThread(THREAD, { registry, env: { ...process.env, EVENTS_FILE: file } })).rejects.toMatchObject({
      name: 'HookError',
      phase: 'prefork',
      hookName: 'refuse',
    });
    // Thread ids count every Worker this process created: the next one is before + 1 only if
    // spawnThread created none. And the thread's module, which records its hooks, never ran.
    expect(await probeThreadId()).toBe(before + 1);
    expect(readEvents(file)).toEqual([]);
  });

  test('handle: stop() of a hung thread waits for the deadline, then terminate()s it', async () => {
    const file = eventsFile();
    const env = { ...process.env, EVENTS_FILE: file, HANG_AFTER_READY: '1', FORKHOOKS_LOG: 'silent' };
    const thread = await spawnThread(THREAD, { env, shutdownTimeoutMs: 300, drainTimeoutMs: 0 });
    await thread.ready;
    await waitForEvents(file, (events) => named(events, 'hanging').length === 1);
    const started = Date.now();
    expect(await thread.stop()).toMatchObject({ code: 1, terminated: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_250);
  });
});
