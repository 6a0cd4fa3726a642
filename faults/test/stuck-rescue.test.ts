// Issue 22, item 2: a worker the heartbeat watchdog kills no longer takes its unexported spans with it.
// A real runCluster of one traced worker (manager-app.js) answers N requests, whose spans sit in its
// open batch (OTEL_BSP_SCHEDULE_DELAY 30 s), then spins in while (true) on GET /block. Before the
// kill, its watchdog thread pauses the main thread through the in-process inspector, takes the stack,
// ends the hung request's span (ERROR, the stack in an `exception` event) and sends every span; the
// primary's line names the frames and the counts. With FORKHOOKS_STUCK_RESCUE=0 the spans are lost,
// and the line says how many.
import { join } from 'node:path';
import type { ReceivedSpan, Receiver } from '@forkhooks/receiver';
import { nodeBinary } from '../../test-utils/node-binary';
import { freePort, httpGet } from '../../test-utils/http';
import { startNode, tempDir, waitForEvents, type HookEvent, type NodeProcess } from '../../test-utils/processes';
import { FIXTURES, learnedPids, named, report, sleep, useFaultSuite, within } from './helpers';

const MANAGER_APP = join(FIXTURES, 'manager-app.js');
const REQUESTS = 20;
/** Each request of manager-app ends two spans: the HTTP server span and its child 'work'. */
const SPANS = REQUESTS * 2;
const suite = useFaultSuite();
let receiver: Receiver;
beforeAll(async () => {
  receiver = await suite.receiverOn();
});

interface StuckRun {
  proc: NodeProcess;
  kill: HookEvent;
  line: string;
  received: ReceivedSpan[];
  /** With `native`: the replacement, blocked in native code, and killed too. */
  native?: { kill: HookEvent; line: string };
}

/** One worker answers REQUESTS traced requests, then spins; resolves once it was killed and its spans (if any) are in. */
async function stuckWorker(env: NodeJS.ProcessEnv, node?: string, native = false): Promise<StuckRun> {
  const dir = tempDir('forkhooks-stuck-');
  const events = join(dir.path, 'events.jsonl');
  const port = await freePort();
  const proc = startNode(MANAGER_APP, {
    node,
    env: {
      EVENTS_FILE: events,
      WORKERS: '1',
      PORT: String(port),
      CONTROL_PORT: String(await freePort()),
      HEARTBEAT_TIMEOUT_MS: '1500',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '30000',
      ...env,
    },
  });
  try {
    await proc.waitFor(/ALL READY/, 30_000);
    for (let i = 0; i < REQUESTS; i++) await httpGet(`http://127.0.0.1:${port}/`);
    // A heartbeat (every 375 ms) carries the count of spans held before the loop blocks.
    await sleep(800);
    const [listening] = named(await waitForEvents(events, (ev) => named(ev, 'listening').length === 1), 'listening');
    learnedPids([proc.pid, listening!.pid]);
    void httpGet(`http://127.0.0.1:${port}/block`, 15_000).catch(() => undefined);
    const [kill] = named(await waitForEvents(events, (ev) => named(ev, 'watchdog-kill').length === 1, 15_000), 'watchdog-kill');
    // The event file is written at once; stderr comes through a pipe.
    const line = await proc.waitFor(new RegExp(`worker 0 \\(pid ${listening!.pid}\\) sent no heartbeat.*`), 5_000);
    const ofWorker = (): ReceivedSpan[] => receiver.spans().filter((s) => s.resource['service.instance.id'] === listening!.instanceId);
    // The rescue's POST is answered before the watchdog thread answers the primary: nothing to wait for.
    const run: StuckRun = { proc, kill: kill!, line, received: ofWorker() };
    if (native) run.native = await blockNative(proc, events, port);
    return run;
  } finally {
    proc.child.kill('SIGTERM');
    await within(proc.exited, 30_000, 'timeout' as const);
    dir.cleanup();
  }
}

/** The replacement (generation 1) answers 3 requests (6 spans), then blocks in native code; resolves with its kill and the primary's line. */
async function blockNative(proc: NodeProcess, events: string, port: number): Promise<{ kill: HookEvent; line: string }> {
  const ready = await waitForEvents(events, (ev) => named(ev, 'listening').length === 2, 15_000);
  const replacement = named(ready, 'listening')[1]!;
  learnedPids([replacement.pid]);
  for (let i = 0; i < 3; i++) await httpGet(`http://127.0.0.1:${port}/`);
  await sleep(800);
  void httpGet(`http://127.0.0.1:${port}/block-native`, 15_000).catch(() => undefined);
  const kills = named(await waitForEvents(events, (ev) => named(ev, 'watchdog-kill').length === 2, 15_000), 'watchdog-kill');
  const line = await proc.waitFor(new RegExp(`worker 0 \\(pid ${replacement.pid}\\) sent no heartbeat.*`), 5_000);
  return { kill: kills[1]!, line };
}

const rescueOn: Array<[string, string | undefined, boolean]> = [['Node 20 (this one)', undefined, true]];
const node24 = nodeBinary(24);
if ('path' in node24) rescueOn.push(['Node 24', node24.path, false]);
else test.todo(`the rescue on Node 24: ${node24.reason}`);

describe('a worker stuck in while (true), killed by the heartbeat watchdog', () => {
  test.each(rescueOn)('%s: its ended spans and the hung request arrive (ERROR, the stack); the line names the frames and the counts', async (_name, node, native) => {
    const run = await stuckWorker({}, node, native);
    const hung = run.received.filter((s) => s.status.code === 'error');
    expect(run.received).toHaveLength(SPANS + 1);
    expect(hung).toHaveLength(1);
    expect(hung[0]!.kind).toBe('server');
    const exception = hung[0]!.events.find((e) => e.name === 'exception');
    expect(exception?.attributes['exception.type']).toBe('StuckWorkerError');
    expect(String(exception?.attributes['exception.stacktrace'])).toMatch(/^StuckWorkerError: the main thread was stuck: no heartbeat for \d+ ms \(heartbeatTimeoutMs 1500\)[^\n]*\n {4}at handle \([^)]*manager-app\.js:\d+:\d+\)\n/);
    expect(run.line).toMatch(/its main thread was stuck at handle \([^)]*manager-app\.js:\d+:\d+\) < emit \(node:events:\d+:\d+\)/);
    expect(run.line).toContain(`rescued ${SPANS + 1} span(s), 1 of them open in the stuck code, ended with ERROR and this stack; lost 0; SIGKILLing it`);
    expect(run.kill).toMatchObject({ rescue: 'rescued', blockedIn: 'javascript', spansRescued: SPANS + 1, spansLost: 0 });
    expect(String(run.kill.stack)).toBe(String(exception?.attributes['exception.stacktrace']));
    report('stuck worker rescued before the watchdog kill', { node: _name, spansEnded: SPANS + 1, received: run.received.length, lost: SPANS + 1 - run.received.length, rescueMs: run.kill.rescueMs, silentMs: run.kill.silentMs });
    if (!run.native) return;
    // Blocked in native code: no pause, no stack; said, and killed as before.
    expect(run.native.line).toMatch(/its main thread is blocked in native code \(a synchronous system call or an addon: it did not pause\), so no stack was taken; lost the 6 span\(s\) it held at its last heartbeat; SIGKILLing it/);
    expect(run.native.kill).toMatchObject({ rescue: 'native', blockedIn: 'native', spansRescued: 0, spansLost: 6 });
  });

  test('with FORKHOOKS_STUCK_RESCUE=0 its spans are lost, and the line says how many', async () => {
    const run = await stuckWorker({ FORKHOOKS_STUCK_RESCUE: '0' });
    expect(run.received).toHaveLength(0);
    expect(run.line).toContain(`its event loop is blocked (no rescue: FORKHOOKS_STUCK_RESCUE=0); lost the ${SPANS} span(s) it held at its last heartbeat; SIGKILLing it`);
    expect(run.kill).toMatchObject({ rescue: 'off', spansRescued: 0, spansLost: SPANS });
    expect(run.kill.stack).toBeUndefined();
    report('stuck worker, rescue off', { spansEnded: SPANS, received: 0, lost: SPANS, said: SPANS });
  });
});
