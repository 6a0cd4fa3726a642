import type { RunContext } from '../src';

export { sleep } from '../../../test-utils/time';

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
