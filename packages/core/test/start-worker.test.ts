import { fork } from 'node:child_process';
import { join } from 'node:path';
import { httpGet } from '../../../test-utils/http';
import { readEvents, reapLeftovers, runNode, startNode, tempDir, waitGone, type HookEvent } from '../../../test-utils/processes';
import { sleep } from '../../../test-utils/time';

const WORKER = join(__dirname, 'fixtures', 'worker.js');
const names = (events: HookEvent[]): string[] => events.map((e) => e.event);

describe('startWorker in a real process', () => {
  const dir = tempDir();
  let n = 0;
  const eventsFile = (): string => join(dir.path, `events-${n++}.jsonl`);

  afterAll(async () => {
    const left = await reapLeftovers();
    dir.cleanup();
    expect(left).toEqual([]);
  });

  it('standalone: runs prefork, postfork, main; on SIGTERM runs atexit (LIFO) and exits 0', async () => {
    const file = eventsFile();
    const proc = startNode(WORKER, { env: { EVENTS_FILE: file, KEEP_ALIVE: '1' } });
    await proc.waitFor(/main running/);
    proc.child.kill('SIGTERM');
    const { code } = await proc.exited;
    const events = readEvents(file);
    expect(code).toBe(0);
    expect(names(events)).toEqual(['prefork', 'postfork:first', 'postfork:connect-db', 'main', 'atexit:flush:start', 'atexit:flush', 'atexit:close-db']);
    expect(events.every((e) => e.pid === proc.pid)).toBe(true);
    expect(events[0]).toMatchObject({ runtime: 'standalone', workerIndex: 0 });
    expect(events[3]).toMatchObject({ runtime: 'standalone', phase: 'postfork' });
    expect(events.filter((e) => e.event.startsWith('atexit:')).map((e) => e.reason)).toEqual(['signal', 'signal', 'signal']);
  });

  it('tells an atexit hook the signal that began the stop (ctx.stopSignal) and what is left of its deadline (ctx.timeLeft)', async () => {
    const file = eventsFile();
    const proc = startNode(WORKER, { env: { EVENTS_FILE: file, KEEP_ALIVE: '1', RECORD_STOP: '1' } });
    await proc.waitFor(/main running/);
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
    const stop = readEvents(file).find((e) => e.event === 'atexit:stop') as HookEvent & { deadlineLeft: number; timeLeft: number; less100: number };
    expect(stop).toMatchObject({ stopSignal: 'SIGTERM', reason: 'signal' });
    // Its own timeoutMs (3000 ms): less than half of the 10 s deadline, so its share is all of it.
    expect(stop.deadlineLeft).toBeGreaterThan(2_500);
    expect(stop.deadlineLeft).toBeLessThanOrEqual(3_000);
    // Read a moment after deadlineAt: never more than it, and within a few ms of it.
    expect(stop.timeLeft).toBeLessThanOrEqual(stop.deadlineLeft);
    expect(stop.timeLeft).toBeGreaterThan(stop.deadlineLeft - 50);
    expect(stop.less100).toBeLessThanOrEqual(stop.timeLeft - 100);
    expect(stop.less100).toBeGreaterThan(stop.timeLeft - 150);
  });

  it('tells no stop signal to the atexit hooks of a stop a message began', async () => {
    const file = eventsFile();
    const child = fork(WORKER, [], { env: { ...process.env, EVENTS_FILE: file, KEEP_ALIVE: '1', RECORD_STOP: '1' }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => child.stdout?.on('data', (d: Buffer) => d.toString().includes('main running') && resolve()));
    child.send({ forkhooks: 'stop' });
    expect(await exited).toBe(0);
    expect(readEvents(file).find((e) => e.event === 'atexit:stop')).toMatchObject({ stopSignal: null, reason: 'message' });
    expect(await waitGone([child.pid as number])).toEqual([]);
  });

  it('runs one shutdown for two SIGTERMs in a row, and exits 0', async () => {
    const file = eventsFile();
    const proc = startNode(WORKER, { env: { EVENTS_FILE: file, KEEP_ALIVE: '1', FLUSH_DELAY_MS: '400' } });
    await proc.waitFor(/main running/);
    proc.child.kill('SIGTERM');
    await proc.waitFor(/stopping \(SIGTERM\)/);
    proc.child.kill('SIGTERM');
    const { code } = await proc.exited;
    expect(code).toBe(0);
    expect(names(readEvents(file)).filter((e) => e === 'atexit:close-db')).toHaveLength(1);
    expect(proc.stderr()).toMatch(/already stopping; ignoring SIGTERM/);
  });

  it('exits 1 naming the hook and phase when a critical postfork throws, after running atexit', async () => {
    const file = eventsFile();
    const result = await runNode(WORKER, { env: { EVENTS_FILE: file, POSTFORK_THROWS: '1' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/worker failed: postfork hook "connect-db" failed: database refused the connection/);
    const events = readEvents(file);
    expect(names(events)).not.toContain('main');
    expect(events.find((e) => e.event === 'atexit:close-db')).toMatchObject({
      reason: 'error',
      error: 'postfork hook "connect-db" failed: database refused the connection',
    });
  });

  it('runs atexit with reason "error" after an uncaught exception in main, then exits 1', async () => {
    const file = eventsFile();
    const result = await runNode(WORKER, { env: { EVENTS_FILE: file, KEEP_ALIVE: '1', THROW_LATER: '1' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/worker failed \(uncaught exception\): boom in a timer/);
    expect(readEvents(file).find((e) => e.event === 'atexit:close-db')).toMatchObject({ reason: 'error', error: 'boom in a timer' });
  });

  it('treats an unhandled rejection and a throwing main as fatal too', async () => {
    const rejected = eventsFile();
    const r1 = await runNode(WORKER, { env: { EVENTS_FILE: rejected, KEEP_ALIVE: '1', REJECT_LATER: '1' } });
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/unhandled rejection\): nobody caught me/);
    const mainThrows = eventsFile();
    const r2 = await runNode(WORKER, { env: { EVENTS_FILE: mainThrows, MAIN_THROWS: '1' } });
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/main failed\): main could not start/);
    expect(readEvents(mainThrows).find((e) => e.event === 'atexit:close-db')).toMatchObject({ reason: 'error' });
  });

  it('cuts a hung atexit hook at its timeout and still runs the others', async () => {
    const file = eventsFile();
    const started = Date.now();
    const proc = startNode(WORKER, { env: { EVENTS_FILE: file, KEEP_ALIVE: '1', FLUSH_HANGS: '1', FLUSH_TIMEOUT_MS: '300' } });
    await proc.waitFor(/main running/);
    proc.child.kill('SIGTERM');
    const { code } = await proc.exited;
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(names(readEvents(file))).toEqual(['prefork', 'postfork:first', 'postfork:connect-db', 'main', 'atexit:flush:start', 'atexit:close-db']);
    expect(proc.stderr()).toMatch(/atexit hook "flush" did not settle within 300 ms/);
  });

  it('exits by the shutdown deadline when an atexit hook outlasts it, and still runs the hooks after it', async () => {
    const file = eventsFile();
    const proc = startNode(WORKER, {
      env: { EVENTS_FILE: file, KEEP_ALIVE: '1', FLUSH_HANGS: '1', FLUSH_TIMEOUT_MS: '60000', FORKHOOKS_SHUTDOWN_TIMEOUT_MS: '400' },
    });
    await proc.waitFor(/main running/);
    const stopAt = Date.now();
    proc.child.kill('SIGTERM');
    const { code } = await proc.exited;
    const took = Date.now() - stopAt;
    expect(code).toBe(0);
    expect(took).toBeLessThan(5_000);
    // Two atexit hooks, 400 ms: the hanging one is cut off at its share (200 ms), close-db gets the rest.
    expect(proc.stderr()).toMatch(/atexit hook "flush" did not settle within (19\d|200) ms/);
    expect(readEvents(file).find((e) => e.event === 'atexit:close-db')).toMatchObject({ reason: 'signal' });
  });

  it('ends through atexit (reason "exit") when the event loop empties', async () => {
    const file = eventsFile();
    const result = await runNode(WORKER, { env: { EVENTS_FILE: file } });
    expect(result.code).toBe(0);
    expect(readEvents(file).find((e) => e.event === 'atexit:close-db')).toMatchObject({ reason: 'exit' });
  });

  it('warns which atexit hooks a direct process.exit() skipped', async () => {
    const file = eventsFile();
    const result = await runNode(WORKER, { env: { EVENTS_FILE: file, KEEP_ALIVE: '1', EXIT_DIRECTLY: '1' } });
    expect(result.code).toBe(3);
    expect(names(readEvents(file))).not.toContain('atexit:close-db');
    expect(result.stderr).toMatch(/process.exit\(\) was called before atexit ran: flush, close-db did not run/);
  });

  it.each([
    ['the PM2 "shutdown" message', (child: ReturnType<typeof fork>) => child.send('shutdown'), 'message'],
    ['a { forkhooks: "stop" } message', (child: ReturnType<typeof fork>) => child.send({ forkhooks: 'stop' }), 'message'],
    ['the IPC channel closing', (child: ReturnType<typeof fork>) => child.disconnect(), 'disconnect'],
  ])('as an IPC child, stops gracefully on %s', async (_what, stop, reason) => {
    const file = eventsFile();
    const child = fork(WORKER, [], { env: { ...process.env, EVENTS_FILE: file, KEEP_ALIVE: '1' }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => child.stdout?.on('data', (d: Buffer) => d.toString().includes('main running') && resolve()));
    stop(child);
    expect(await exited).toBe(0);
    const events = readEvents(file);
    expect(events.find((e) => e.event === 'main')).toMatchObject({ runtime: 'child_process' });
    expect(events.find((e) => e.event === 'atexit:close-db')).toMatchObject({ reason });
    expect(await waitGone([child.pid as number])).toEqual([]);
  });
});

describe('startWorker after the IPC channel already closed', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());

  it('stops at once through atexit (reason "disconnect"), exit 0', async () => {
    const file = join(dir.path, 'events.jsonl');
    const child = fork(join(__dirname, 'fixtures', 'late-start.js'), [], { env: { ...process.env, EVENTS_FILE: file, FORKHOOKS_LOG: 'silent' } });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.disconnect();
    expect(await exited).toBe(0);
    expect(readEvents(file)).toEqual([expect.objectContaining({ event: 'atexit', reason: 'disconnect' })]);
  });
});

describe('closeOnStop', () => {
  const dir = tempDir();
  afterAll(async () => {
    dir.cleanup();
    expect(await reapLeftovers()).toEqual([]);
  });

  it('lets a request in flight at SIGTERM finish before the atexit hooks registered earlier run', async () => {
    const file = join(dir.path, 'events.jsonl');
    const proc = startNode(join(__dirname, 'fixtures', 'http-worker.js'), { env: { EVENTS_FILE: file } });
    const port = (await proc.waitFor(/listening \d+/)).split(' ')[1];
    const reply = httpGet(`http://127.0.0.1:${port}/slow`);
    while (!readEvents(file).some((e) => e.event === 'request:start')) await sleep(10);
    proc.child.kill('SIGTERM');
    expect((await reply).body).toBe('done');
    expect((await proc.exited).code).toBe(0);
    expect(readEvents(file).map((e) => e.event)).toEqual(['request:start', 'request:end', 'atexit:flush']);
  });
});
