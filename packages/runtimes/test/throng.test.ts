import { join } from 'node:path';
import { readEvents, reapLeftovers, startNode, tempDir, waitForEvents, waitGone } from '../../../test-utils/processes';
import { assertBuilt, expectAtexitLifo, expectStartedOnce, FIXTURES, identity, named, position, workerPids } from './helpers';

// throng (real package) with startWorker + runPrefork and no adapter code: see fixtures/throng-app.js.
const APP = join(FIXTURES, 'throng-app.js');
const dir = tempDir('forkhooks-throng-');
const learned = new Set<number>();

beforeAll(assertBuilt);
afterAll(async () => {
  const left = await reapLeftovers(learned);
  dir.cleanup();
  expect(left).toEqual([]);
});

test('throng: prefork per fork with the slot the primary assigns, postfork once per worker before main, a revive keeps the slot; SIGTERM runs atexit LIFO, exit 0', async () => {
  const file = join(dir.path, 'events.jsonl');
  const primary = startNode(APP, { env: { EVENTS_FILE: file } });
  let events = await waitForEvents(file, (ev) => named(ev, 'main').length === 2);
  const first = workerPids(events);
  first.forEach((pid) => learned.add(pid));

  expect(named(events, 'prefork').map((e) => [e.pid, e.runtime, e.workerIndex, e.generation])).toEqual([
    [primary.pid, 'cluster', 0, 0],
    [primary.pid, 'cluster', 1, 0],
  ]);
  for (const pid of first) {
    const postfork = expectStartedOnce(events, (e) => e.pid === pid);
    const prefork = named(events, 'prefork', (e) => e.workerIndex === postfork.workerIndex)[0]!;
    expect(identity(postfork)).toEqual(identity(prefork));
    expect(postfork).toMatchObject({ runtime: 'cluster', workerId: String(pid), primaryPid: primary.pid });
    expect(position(events, (e) => e === prefork)).toBeLessThan(position(events, (e) => e === postfork));
  }

  // throng revives a dead worker: it gets the dead one's slot and the next generation.
  const victim = named(events, 'postfork', (e) => e.workerIndex === 1)[0]!.pid;
  process.kill(victim, 'SIGKILL');
  events = await waitForEvents(file, (ev) => named(ev, 'main').length === 3);
  const revived = workerPids(events).find((pid) => !first.includes(pid))!;
  learned.add(revived);
  expect(expectStartedOnce(events, (e) => e.pid === revived)).toMatchObject({ workerIndex: 1, generation: 1 });
  expect(named(events, 'prefork', (e) => e.generation === 1).map((e) => [e.pid, e.workerIndex, e.workerId])).toEqual([[primary.pid, 1, String(revived)]]);

  primary.child.kill('SIGTERM');
  expect(await primary.exited).toEqual({ code: 0, signal: null });
  events = readEvents(file);
  const survivors = [...first.filter((pid) => pid !== victim), revived];
  for (const pid of survivors) expectAtexitLifo(events, (e) => e.pid === pid, 'signal');
  expectAtexitLifo(events, (e) => e.pid === primary.pid, 'exit');
  expect(await waitGone([primary.pid, ...survivors, victim])).toEqual([]);
});
