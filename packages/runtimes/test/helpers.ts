// Assertions shared by the runtimes tests: they read what the fixtures' hooks wrote.
import { join } from 'node:path';
import { assertBuilt as assertPackagesBuilt } from '../../../test-utils/build';
import { named, type HookEvent } from '../../../test-utils/processes';

export { named };

/** Where the plain-JS fixtures live. */
export const FIXTURES = join(__dirname, 'fixtures');

/** The fixtures require core and runtimes built. */
export const assertBuilt = (): void => assertPackagesBuilt(['core', 'runtimes']);

/** The position of the first event matching `where` (-1 when none). */
export function position(events: HookEvent[], where: (e: HookEvent) => boolean): number {
  return events.findIndex(where);
}

/** The context fields every phase and main must agree on, for one worker. */
export function identity(e: HookEvent): Record<string, unknown> {
  return { runtime: e.runtime, workerIndex: e.workerIndex, generation: e.generation, workerId: e.workerId, primaryPid: e.primaryPid };
}

/**
 * The worker (one pid, or one thread) ran postfork exactly once, in itself, and then main with the same context.
 * Returns its postfork event.
 */
export function expectStartedOnce(events: HookEvent[], where: (e: HookEvent) => boolean): HookEvent {
  const postforks = named(events, 'postfork', where);
  const mains = named(events, 'main', where);
  expect(postforks).toHaveLength(1);
  expect(mains).toHaveLength(1);
  const [postfork, main] = [postforks[0]!, mains[0]!];
  expect(postfork.ctxPid).toBe(postfork.pid);
  expect(position(events, (e) => e === postfork)).toBeLessThan(position(events, (e) => e === main));
  expect(identity(main)).toEqual(identity(postfork));
  return postfork;
}

/** The atexit hooks of one process (or thread) ran once each, LIFO, for `reason`. */
export function expectAtexitLifo(events: HookEvent[], where: (e: HookEvent) => boolean, reason: string): void {
  const atexit = named(events, 'atexit', where);
  expect(atexit.map((e) => [e.hook, e.reason])).toEqual([
    ['registered-second', reason],
    ['registered-first', reason],
  ]);
}

/** Pids of every process that ran postfork (workers), for the leftover check. */
export function workerPids(events: HookEvent[]): number[] {
  return [...new Set(named(events, 'postfork').map((e) => e.pid))];
}
