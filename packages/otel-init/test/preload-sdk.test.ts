import { join } from 'node:path';
import { readEvents, startNode, tempDir, waitGone, type NodeProcess } from '../../../test-utils/processes';
import { sleep } from '../../../test-utils/time';
import { useReceiver } from './receiver-fixture';

// What a worker loads before it is ready: register loads a managed worker's trace SDK before the
// instrumentations' require hook exists (preload-sdk.ts) and nothing more in a primary; the metrics
// SDK loads after start-up (metrics/deferred-pipeline.ts) and gets what was recorded before.
// Real runCluster primary and worker; metrics go to a real receiver.
const APP = join(__dirname, 'fixtures', 'preload-order.js');
const COUNT = 7;

describe('start-up: the SDK a worker loads before it is ready, and when', () => {
  const dir = tempDir();
  const pids: number[] = [];
  let n = 0;
  const receiver = useReceiver({ pids, cleanup: () => dir.cleanup() });

  async function start(env: NodeJS.ProcessEnv): Promise<{ proc: NodeProcess; pid: number; file: string }> {
    const file = join(dir.path, `events-${n++}.jsonl`);
    const proc = startNode(APP, { env: { EVENTS_FILE: file, COUNT: String(COUNT), OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url, ...env } });
    const pid = Number(/pid=(\d+)/.exec(await proc.waitFor(/ready pid=\d+/))?.[1]);
    pids.push(pid);
    return { proc, pid, file };
  }
  async function stop(proc: NodeProcess, pid: number): Promise<void> {
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
    expect(await waitGone([pid])).toEqual([]);
  }
  const event = (file: string, name: string): Record<string, unknown> => readEvents(file).find((e) => e.event === name) ?? {};

  it('the worker loads every sdk-trace file before the hook and no sdk-metrics file before ready; the primary loads neither', async () => {
    const { proc, pid, file } = await start({});
    await stop(proc, pid);
    expect(event(file, 'primary')).toMatchObject({ hooked: true, sdkTrace: { files: 0 }, sdkMetrics: { files: 0 } });
    const worker = event(file, 'worker');
    expect(worker).toMatchObject({ hooked: true, sdkTrace: { afterHook: 0 }, sdkMetrics: { files: 0 } });
    expect((worker.sdkTrace as { files: number }).files).toBeGreaterThan(10);
  });

  it('a counter added before the metrics SDK loaded is in the first periodic export, without a stop', async () => {
    const { proc, pid, file } = await start({ OTEL_METRIC_EXPORT_INTERVAL: '300', OTEL_METRIC_EXPORT_TIMEOUT: '300' });
    expect(event(file, 'worker')).toMatchObject({ sdkMetrics: { files: 0 } }); // added while the SDK was not loaded
    const deadline = Date.now() + 15_000;
    while (receiver().counterTotal('early.count') < COUNT && Date.now() < deadline) await sleep(100);
    expect(receiver().counterTotal('early.count')).toBe(COUNT);
    await stop(proc, pid);
  });

  it('a worker stopped right after ready exports what it recorded before ready, once (the final export)', async () => {
    // The SDK is due 1 s after postfork: the SIGTERM, sent as soon as "ready" is read, usually comes
    // first, and the stop loads it; on a slow machine the timer may have loaded it already. Both ways,
    // what was recorded before ready must arrive exactly once.
    const { proc, pid } = await start({});
    await stop(proc, pid);
    expect(receiver().counterTotal('early.count')).toBe(COUNT);
  });

  it('with OTEL_SDK_DISABLED=true the worker loads no SDK, at import or in postfork', async () => {
    const { proc, pid, file } = await start({ OTEL_SDK_DISABLED: 'true' });
    await stop(proc, pid);
    expect(event(file, 'worker')).toMatchObject({ hooked: true, sdkTrace: { files: 0 }, sdkMetrics: { files: 0 } });
    expect(receiver().counterTotal('early.count')).toBe(0);
  });
});
