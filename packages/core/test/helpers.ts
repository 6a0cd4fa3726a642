import type { RunContext } from '../src';

/** A context for registry tests: a standalone worker in this process. */
export function testContext(overrides: Partial<RunContext> = {}): RunContext {
  return {
    runtime: 'standalone',
    workerIndex: 0,
    generation: 0,
    workerId: 'test',
    pid: process.pid,
    primaryPid: undefined,
    threadId: 0,
    ...overrides,
  };
}

/** Resolves after `ms`, or at once when `signal` aborts (so a cut-off hook leaves no timer behind). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
