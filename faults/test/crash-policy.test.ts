// Fault matrix, crash policy: requests that crash workers which were serving. A worker that was ready
// and stayed up at least restart.minUptimeMs (default 1 s) is respawned with backoff and never counts
// towards giving up; only failures to start do (the start-failure give-up is tested in
// packages/runtimes/test/cluster.test.ts). Real processes: stop-app.js as a runCluster of 2 workers.
import { join } from 'node:path';
import type { Receiver } from '@forkhooks/receiver';
import { freePort, httpGet } from '../../test-utils/http';
import { waitForEvents } from '../../test-utils/processes';
import { type App, FIXTURES, named, report, startApp, useFaultSuite } from './helpers';

const STOP_APP = join(FIXTURES, 'stop-app.js');
const CRASHES = 9;
const suite = useFaultSuite();
let receiver: Receiver;
beforeAll(async () => {
  receiver = await suite.receiverOn();
});

describe(`${CRASHES} requests that abort a serving worker (each up 1.2-2.5 s)`, () => {
  let app: App;
  let answered: number[];
  let crashMs: number;
  let exit: { code: number | null; signal: NodeJS.Signals | null };

  beforeAll(async () => {
    const port = await freePort();
    app = startApp({ WORKERS: '2', PORT: String(port), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, FORKHOOKS_SHUTDOWN_TIMEOUT_MS: '3000' }, STOP_APP);
    await app.proc.waitFor(/ALL READY/);
    answered = [];
    const t0 = Date.now();
    for (let i = 1; i <= CRASHES; i++) {
      // Slots in turn, so both crash-loop in parallel (the old policy gave up at 5 crashes of one slot).
      let reply = await httpGet(`http://127.0.0.1:${port}/abort?slot=${i % 2}`, 10_000);
      for (let tries = 1; reply.body === 'not me' && tries < 20; tries++) reply = await httpGet(`http://127.0.0.1:${port}/abort?slot=${i % 2}`, 10_000);
      expect(reply.body).toBe('aborting');
      // The replacement is listening: 2 first workers + one per crash.
      await waitForEvents(app.events, (ev) => named(ev, 'worker-exit').length === i && named(ev, 'listening').length === 2 + i, 20_000);
      app.pids();
      for (let k = 0; k < 3; k++) answered.push((await httpGet(`http://127.0.0.1:${port}/`)).status);
    }
    crashMs = Date.now() - t0;
    app.proc.child.kill('SIGTERM');
    exit = await app.proc.exited;
  }, 120_000);

  test('the primary never gives up: every crash is respawned, and the slots count up their generations', () => {
    const events = app.read();
    expect(named(events, 'giving-up')).toEqual([]);
    const crashes = named(events, 'worker-exit', (e) => e.expected === false);
    expect(crashes).toHaveLength(CRASHES);
    expect(crashes.every((e) => e.code === 1 && Number(e.uptimeMs) >= 1_000)).toBe(true);
    expect(named(events, 'respawn')).toHaveLength(CRASHES);
    // Both slots start at generation 0; each crash adds one generation to its slot.
    const generations = [0, 1].map((slot) => Math.max(...named(events, 'listening', (e) => e.workerIndex === slot).map((e) => Number(e.generation))));
    expect(generations).toEqual([Math.floor(CRASHES / 2), Math.ceil(CRASHES / 2)]);
    report('requests that abort serving workers', { crashes: CRASHES, crashMs, generations });
  });

  test('every request after a respawn is answered, and the service still stops cleanly', () => {
    expect(answered).toEqual(Array.from({ length: 3 * CRASHES }, () => 200));
    expect(exit).toEqual({ code: 0, signal: null });
  });
});
