import { join } from 'node:path';
import { reapLeftovers, readEvents, startNode, tempDir, waitGone } from '../../../test-utils/processes';
import { assertBuilt, FIXTURES, named } from './helpers';

const dirs: Array<{ cleanup(): void }> = [];
const learned = new Set<number>();

beforeAll(assertBuilt);
afterAll(async () => {
  const left = await reapLeftovers(learned);
  dirs.forEach((d) => d.cleanup());
  expect(left).toEqual([]);
});

test("runCluster: a static @atexit for a per-worker Db runs only in the workers; scope 'primary' only in the primary; 'all' in both", async () => {
  const dir = tempDir('forkhooks-scope-');
  dirs.push(dir);
  const file = join(dir.path, 'events.jsonl');
  const primary = startNode(join(FIXTURES, 'scope-app.js'), { env: { EVENTS_FILE: file } });
  await primary.waitFor(/ALL READY/, 30_000);
  const workers = named(readEvents(file), 'main').map((e) => e.pid);
  workers.forEach((pid) => learned.add(pid));
  expect(workers).toHaveLength(2);

  primary.child.kill('SIGTERM');
  expect(await primary.exited).toEqual({ code: 0, signal: null });
  const ran = (pid: number): string[] => named(readEvents(file), 'atexit', (e) => e.pid === pid).map((e) => String(e.hook)).sort();
  for (const pid of workers) expect(ran(pid)).toEqual(['Db.close', 'everywhere']);
  expect(ran(primary.pid)).toEqual(['everywhere', 'primary-only']);
  // No spurious teardown failure in the primary (before: `atexit hook "Db.close" failed: Cannot read properties of undefined`).
  expect(primary.stderr()).not.toMatch(/failed/);
  expect(primary.stderr()).toMatch(/pid=\d+\] atexit done: 2\/2 hooks ok; exiting 0/);
  expect(await waitGone([primary.pid, ...workers])).toEqual([]);
});
