import { join } from 'node:path';
import type { Receiver } from '@forkhooks/receiver';
import { freePort, httpGet } from '../../test-utils/http';
import { readEvents, startNode, tempDir, waitForEvents, waitGone, type HookEvent, type NodeProcess } from '../../test-utils/processes';
import { useReceivers } from '../../test-utils/receiver';

// NestJS's and Fastify's own shutdown hooks, under runCluster with closeOnStop(app): each runs exactly
// once per worker, before the span flush, on every stop path. The fixtures end one span per hook;
// the spans are sent only by the final flush (the batch delay is a minute), so a hook span at the
// receiver proves the flush came after that hook.
const NEST_HOOKS = ['onModuleDestroy', 'beforeApplicationShutdown', 'onApplicationShutdown'];
const frameworks: Array<[name: string, script: string, hooks: string[], nest: boolean]> = [
  ['NestJS 11 (CommonJS)', join(__dirname, 'fixtures', 'nest11-app.cjs'), NEST_HOOKS, true],
  ['NestJS 12 (ESM)', join(__dirname, '..', 'nestjs', 'test', 'nest12-app.mjs'), NEST_HOOKS, true],
  ['Fastify 5', join(__dirname, 'fixtures', 'fastify-app.cjs'), ['preClose', 'onClose'], false],
];

const dirs: Array<{ cleanup(): void }> = [];
const learned = new Set<number>();
const startOwn = useReceivers({ pids: learned, cleanup: () => dirs.forEach((d) => d.cleanup()) });

interface Run {
  app: NodeProcess;
  file: string;
  receiver: Receiver;
  port: number;
}

async function start(script: string, detached = false): Promise<Run> {
  const dir = tempDir('forkhooks-frameworks-');
  dirs.push(dir);
  const file = join(dir.path, 'events.jsonl');
  const receiver = await startOwn();
  const port = await freePort();
  const env = { EVENTS_FILE: file, PORT: String(port), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '60000', FORKHOOKS_LOG: 'warn' };
  const app = startNode(script, { env, detached });
  await app.waitFor(/ALL READY/, 60_000);
  const reply = await httpGet(`http://127.0.0.1:${port}/`);
  expect([reply.status, reply.body]).toEqual([200, expect.stringMatching(/^hello from \d+$/)]);
  return { app, file, receiver, port };
}

function readyPids(events: HookEvent[]): number[] {
  const pids = events.filter((e) => e.event === 'worker-ready').map((e) => Number(e.workerPid));
  pids.forEach((pid) => learned.add(pid));
  return pids;
}

/** The framework hooks that ran in `pid`, in the order they ran. */
function hooksOf(events: HookEvent[], pid: number): string[] {
  return events.filter((e) => e.event === 'hook' && e.pid === pid).map((e) => String(e.hook));
}

/** Each worker in `pids` ran every hook exactly once, in order, and each hook's span reached the receiver (flushed after it). */
function expectOnceBeforeFlush(run: Run, pids: number[], hooks: string[], nest: boolean): void {
  const events = readEvents(run.file);
  const received = new Set(run.receiver.spans().map((s) => s.name));
  for (const pid of pids) {
    expect([pid, hooksOf(events, pid)]).toEqual([pid, hooks]);
    expect([pid, hooks.filter((hook) => !received.has(`${hook}:${pid}`))]).toEqual([pid, []]);
    if (nest) {
      // The provider built after postfork got its @postfork once, and its @atexit once, with its pool.
      expect(events.filter((e) => e.event === 'db-postfork' && e.pid === pid)).toHaveLength(1);
      expect(events.filter((e) => e.event === 'db-atexit' && e.pid === pid).map((e) => e.hadPool)).toEqual([true]);
    }
  }
}

describe.each(frameworks)('%s under runCluster with closeOnStop(app)', (_name, script, hooks, nest) => {
  it('runs its shutdown hooks once, before the flush: SIGTERM to a worker, respawn after a SIGKILL, SIGTERM to the primary', async () => {
    const run = await start(script);
    const [first, second] = readyPids(readEvents(run.file));
    expect([first, second].every((pid) => typeof pid === 'number' && pid > 0)).toBe(true);

    // SIGTERM to one worker: it stops alone (hooks, flush), and its slot is refilled.
    process.kill(first!, 'SIGTERM');
    await waitForEvents(run.file, (ev) => readyPids(ev).length === 3, 60_000);
    expect(await waitGone([first!], 10_000)).toEqual([]);
    // SIGKILL to the other: no hook can run in it; the replacement runs its own at the end.
    process.kill(second!, 'SIGKILL');
    await waitForEvents(run.file, (ev) => readyPids(ev).length === 4, 60_000);
    const [, , third, fourth] = readyPids(readEvents(run.file));
    expect((await httpGet(`http://127.0.0.1:${run.port}/`)).status).toBe(200);

    run.app.child.kill('SIGTERM');
    expect(await run.app.exited).toEqual({ code: 0, signal: null });
    expectOnceBeforeFlush(run, [first!, third!, fourth!], hooks, nest);
    expect(hooksOf(readEvents(run.file), second!)).toEqual([]);
    expect(hooksOf(readEvents(run.file), run.app.pid)).toEqual([]);
    expect(run.app.stderr()).not.toMatch(/failed|did not settle|LateHookError/);
    expect(await waitGone([run.app.pid, first!, second!, third!, fourth!])).toEqual([]);
  });

  it('runs its shutdown hooks once, before the flush, on Ctrl-C (SIGINT to the whole process group)', async () => {
    const run = await start(script, true);
    const workers = readyPids(readEvents(run.file));
    expect(workers).toHaveLength(2);
    process.kill(-run.app.pid, 'SIGINT');
    expect(await run.app.exited).toEqual({ code: 0, signal: null });
    expectOnceBeforeFlush(run, workers, hooks, nest);
    expect(run.app.stderr()).not.toMatch(/failed|did not settle|LateHookError/);
    expect(await waitGone([run.app.pid, ...workers])).toEqual([]);
  });
});
