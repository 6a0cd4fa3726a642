import { EventEmitter } from 'node:events';
import { configureLogger, type LogSink } from '@forkhooks/core';
import { WorkerExitedError } from '../src/errors/worker-exited.error';
import type { ProcessExit } from '../src/types/worker-info';
import { WorkerLink, type StopWays, type WorkerLinkOptions } from '../src/worker-link';

// The link's own bookkeeping, with an EventEmitter standing in for the child process, thread or
// cluster worker (no fork): what real processes do is covered by the runtimes and faults tests.

const failed = { forkhooks: 'failed', phase: 'postfork', hookName: 'db', message: 'connection refused' };
const budget = { drainTimeoutMs: 0, shutdownTimeoutMs: 0 };

function linkOf(over: Partial<WorkerLinkOptions<ProcessExit>> = {}): { source: EventEmitter; link: WorkerLink<ProcessExit> } {
  const source = new EventEmitter();
  const link = new WorkerLink<ProcessExit>(source, {
    exitAs: (code, signal, { forced, failure }) => ({ code, signal, ...(forced && { forced }), ...(failure && { failure }) }),
    exitedEarly: ({ code, signal }, failure) => new WorkerExitedError('child process', 3, code, signal, failure),
    ...over,
  });
  return { source, link };
}

/** Stop ways that record what the link asked for; `exits` says what the stand-in does when asked. */
function ways(source: EventEmitter, exits: 'on-ask' | 'on-force', calls: string[] = []): StopWays {
  let gone = false;
  const end = (code: number | null, signal: NodeJS.Signals | null): void => {
    gone = true;
    source.emit('exit', code, signal);
  };
  return {
    ask: () => {
      calls.push('ask');
      if (exits === 'on-ask') end(0, null);
    },
    gone: () => gone,
    overran: (spelled, cutOff) => `worker 3 overran ${spelled}; cut off: ${cutOff}`,
    force: () => {
      calls.push('force');
      end(null, 'SIGKILL');
    },
  };
}

describe('WorkerLink', () => {
  test('the first ready message resolves started and is heard once; messages not ours are ignored', async () => {
    const onReady = jest.fn();
    const { source, link } = linkOf({ onReady });
    source.emit('message', { app: 'hello' });
    expect(link.ready).toBe(false);
    source.emit('message', { forkhooks: 'ready' });
    source.emit('message', { forkhooks: 'ready' });
    expect(link.ready).toBe(true);
    expect(onReady).toHaveBeenCalledTimes(1);
    await expect(link.started).resolves.toBeUndefined();
    source.emit('exit', 0, null);
    await expect(link.exited).resolves.toEqual({ code: 0, signal: null });
    await expect(link.started).resolves.toBeUndefined();
  });

  test('an exit before ready rejects started with the early-exit error, carrying the start failure', async () => {
    const { source, link } = linkOf();
    source.emit('message', failed);
    expect(link.failure).toEqual({ phase: 'postfork', hookName: 'db', message: 'connection refused' });
    source.emit('exit', 1, null);
    const failure = { phase: 'postfork', hookName: 'db', message: 'connection refused' };
    await expect(link.exited).resolves.toEqual({ code: 1, signal: null, failure });
    await expect(link.started).rejects.toThrow(new WorkerExitedError('child process', 3, 1, null, failure));
  });

  test('exited resolves before started rejects; a thread emits a code only (signal null)', async () => {
    const { source, link } = linkOf();
    const order: string[] = [];
    void link.exited.then(() => order.push('exited'));
    link.started.catch(() => order.push('started rejected'));
    source.emit('exit', 1);
    await expect(link.exited).resolves.toEqual({ code: 1, signal: null });
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['exited', 'started rejected']);
  });

  test('heartbeats go to onHeartbeat with their figures; the last stop phase is kept', () => {
    const onHeartbeat = jest.fn();
    const { source, link } = linkOf({ onHeartbeat });
    source.emit('message', { forkhooks: 'heartbeat', rss: 1234, requests: 7 });
    source.emit('message', { forkhooks: 'heartbeat', rss: 'x' });
    expect(onHeartbeat.mock.calls).toEqual([[{ rss: 1234, requests: 7 }], [{ rss: 0, requests: 0 }]]);
    expect(link.stopPhase).toBeUndefined();
    source.emit('message', { forkhooks: 'stopping', phase: 'drain' });
    expect(link.stopPhase).toBe('drain');
    source.emit('message', { forkhooks: 'stopping', phase: 'atexit' });
    source.emit('message', { forkhooks: 'stopping', phase: 'elsewhere' });
    expect(link.stopPhase).toBe('atexit');
  });

  test("a worker's servers-closed goes to onServersClosed, each time it is said (the primary answers it: routing-barrier.ts)", () => {
    const onServersClosed = jest.fn();
    const { source } = linkOf({ onServersClosed });
    source.emit('message', { forkhooks: 'heartbeat', rss: 1, requests: 1 });
    expect(onServersClosed).not.toHaveBeenCalled();
    source.emit('message', { forkhooks: 'servers-closed', pid: 42 });
    source.emit('message', { forkhooks: 'servers-closed', pid: 42 });
    expect(onServersClosed).toHaveBeenCalledTimes(2);
  });

  test('stopLink: the overrun line says what its last stop phase cuts off; force marks it forced', () => {
    const { source, link } = linkOf();
    const calls: string[] = [];
    const stopLink = link.stopLink(ways(source, 'on-force', calls));
    expect(stopLink.exited).toBe(link.exited);
    expect(stopLink.overran('1000 ms')).toBe('worker 3 overran 1000 ms; cut off: its whole stop (it never reported a drain or atexit: blocked, or not listening for the stop message)');
    source.emit('message', { forkhooks: 'stopping', phase: 'atexit' });
    expect(stopLink.overran('1000 ms')).toBe('worker 3 overran 1000 ms; cut off: its atexit hooks still running (a span flush among them)');
    expect(link.forced).toBe(false);
    stopLink.force();
    expect(link.forced).toBe(true);
    expect(calls).toEqual(['force']);
  });

  test('force(end) marks it forced, then ends it', () => {
    const { link } = linkOf();
    const end = jest.fn(() => 'ended');
    expect(link.force(end)).toBe('ended');
    expect(end).toHaveBeenCalledTimes(1);
    expect(link.forced).toBe(true);
  });

  test('stop: asks once, resolves with the exit; a second call shares the first', async () => {
    const { source, link } = linkOf();
    const calls: string[] = [];
    const stopWays = ways(source, 'on-ask', calls);
    const first = link.stop(stopWays, budget);
    expect(link.stop(stopWays, budget)).toBe(first);
    await expect(first).resolves.toEqual({ code: 0, signal: null });
    expect(calls).toEqual(['ask']);
    expect(link.forced).toBe(false);
  });

  test('stop of a worker gone already asks nothing', async () => {
    const { source, link } = linkOf();
    source.emit('exit', 0, null);
    const calls: string[] = [];
    await expect(link.stop({ ...ways(source, 'on-ask', calls), gone: () => true }, budget)).resolves.toEqual({ code: 0, signal: null });
    expect(calls).toEqual([]);
  });

  test('stop past its budget: one line naming what was cut off, then forced', async () => {
    // Each test file has its own copy of the logger: this sink stays in this file.
    const lines: Parameters<LogSink>[] = [];
    configureLogger({ sink: (level, message) => lines.push([level, message]) });
    const { source, link } = linkOf();
    source.emit('message', { forkhooks: 'stopping', phase: 'drain' });
    const calls: string[] = [];
    await expect(link.stop(ways(source, 'on-force', calls), budget)).resolves.toEqual({ code: null, signal: 'SIGKILL', forced: true });
    expect(calls).toEqual(['ask', 'force']);
    expect(link.forced).toBe(true);
    expect(lines).toEqual([['warn', 'worker 3 overran 1000 ms (drain 0 + atexit 0 + grace 1000 ms); cut off: its requests in flight and all of its atexit hooks']]);
  });
});
