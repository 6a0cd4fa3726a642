import { join } from 'node:path';
import { startReceiver, type Receiver } from '@forkhooks/receiver';
import { readEvents, reapLeftovers, startNode, tempDir, waitGone } from '../../../test-utils/processes';

// register loads a managed worker's SDK before the instrumentations' require hook exists (preload-sdk.ts),
// and nothing more in a primary. Real runCluster primary and worker; the metrics' final export goes to a real receiver.
const APP = join(__dirname, 'fixtures', 'preload-order.js');

describe('register: the SDK of a managed worker is loaded before the instrumentations hook require', () => {
  let receiver: Receiver;
  const dir = tempDir();
  const pids: number[] = [];
  let n = 0;
  beforeAll(async () => {
    receiver = await startReceiver({ port: 0 });
  });
  afterAll(async () => {
    await receiver.close();
    dir.cleanup();
    expect(await reapLeftovers(pids)).toEqual([]);
  });

  async function run(env: NodeJS.ProcessEnv): Promise<{ primary: Record<string, unknown>; worker: Record<string, unknown> }> {
    const file = join(dir.path, `events-${n++}.jsonl`);
    const proc = startNode(APP, { env: { EVENTS_FILE: file, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ...env } });
    const pid = Number(/pid=(\d+)/.exec(await proc.waitFor(/ready pid=\d+/))?.[1]);
    pids.push(pid);
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
    expect(await waitGone([pid])).toEqual([]);
    const events = readEvents(file);
    const of = (event: string): Record<string, unknown> => events.find((e) => e.event === event) ?? {};
    return { primary: of('primary'), worker: of('worker') };
  }

  it('in the worker every sdk-trace and sdk-metrics file loads before the hook; the primary loads neither', async () => {
    const { primary, worker } = await run({});
    expect(primary).toMatchObject({ hooked: true, sdkTrace: { files: 0 }, sdkMetrics: { files: 0 } });
    expect(worker).toMatchObject({ hooked: true, sdkTrace: { afterHook: 0 }, sdkMetrics: { afterHook: 0 } });
    expect((worker.sdkTrace as { files: number }).files).toBeGreaterThan(10);
    expect((worker.sdkMetrics as { files: number }).files).toBeGreaterThan(10);
  });

  it('with OTEL_METRICS_EXPORTER=none the metrics SDK is not loaded at all; the trace SDK still loads before the hook', async () => {
    const { worker } = await run({ OTEL_METRICS_EXPORTER: 'none' });
    expect(worker).toMatchObject({ hooked: true, sdkTrace: { afterHook: 0 }, sdkMetrics: { files: 0 } });
    expect((worker.sdkTrace as { files: number }).files).toBeGreaterThan(10);
  });

  it('with OTEL_SDK_DISABLED=true the worker loads no SDK, at import or in postfork', async () => {
    const { worker } = await run({ OTEL_SDK_DISABLED: 'true' });
    expect(worker).toMatchObject({ hooked: true, sdkTrace: { files: 0 }, sdkMetrics: { files: 0 } });
  });
});
