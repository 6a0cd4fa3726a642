import { join } from 'node:path';
import { startNode, waitGone, type NodeProcess } from '../../../test-utils/processes';
import { useReceiver } from './receiver-fixture';

// runCluster + register, on real workers, exporting to the real receiver on 127.0.0.1.
const APP = join(__dirname, 'fixtures', 'cluster-traced.js');
const SPANS = 400;

/** Waits for a worker's "ready" line and returns its pid. */
async function readyPid(proc: NodeProcess, index: number, generation: number): Promise<number> {
  const line = await proc.waitFor(new RegExp(`ready index=${index} generation=${generation} pid=\\d+`));
  return Number(/pid=(\d+)/.exec(line)?.[1]);
}

describe('runCluster with @forkhooks/otel-init/register', () => {
  const pids: number[] = [];
  const receiver = useReceiver({ pids });

  it('delivers every span of both workers on SIGTERM, each under its own instance id, index and pid', async () => {
    // A batch delay no test run reaches, and fewer spans than a batch (512): nothing is exported
    // before the stop, however slow the machine, so every span must come through the atexit flush.
    const env = { SPANS: String(SPANS), OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url, OTEL_SERVICE_NAME: 'orders', OTEL_BSP_SCHEDULE_DELAY: '600000' };
    const proc = startNode(APP, { env });
    const worker0 = await readyPid(proc, 0, 0);
    const worker1 = await readyPid(proc, 1, 0);
    pids.push(worker0, worker1);
    // Both workers ended all their spans before printing "ready"; none has reached the receiver yet.
    expect({ requests: receiver().requests(), spans: receiver().count() }).toEqual({ requests: 0, spans: 0 });
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
    expect(await waitGone([worker0, worker1])).toEqual([]);

    // Zero before SIGTERM, all after it: every span came through the atexit flush.
    expect(receiver().count()).toBe(2 * SPANS);
    const instances = receiver().byInstance().sort((a, b) => (a.workerIndex ?? 0) - (b.workerIndex ?? 0));
    expect(instances.map((i) => [i.workerIndex, i.pid, i.generation, i.runtime, i.serviceName, i.spans])).toEqual([
      [0, worker0, 0, 'cluster', 'orders', SPANS],
      [1, worker1, 0, 'cluster', 'orders', SPANS],
    ]);
    expect(new Set(instances.map((i) => i.instanceId)).size).toBe(2);
  });

  it('traces a respawned worker as generation 1 of the same slot, under a new instance id', async () => {
    const proc = startNode(APP, { env: { SPANS: String(SPANS), OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url, OTEL_BSP_SCHEDULE_DELAY: '100' } });
    const first = await readyPid(proc, 0, 0);
    const other = await readyPid(proc, 1, 0);
    pids.push(first, other);
    await receiver().waitForSpans(2 * SPANS, 10_000); // exported on schedule, before the kill
    process.kill(first, 'SIGKILL');
    const replacement = await readyPid(proc, 0, 1);
    pids.push(replacement);
    expect(replacement).not.toBe(first);
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
    expect(await waitGone([first, other, replacement])).toEqual([]);

    expect(receiver().count()).toBe(3 * SPANS);
    const slot0 = receiver().byInstance().filter((i) => i.workerIndex === 0);
    expect(slot0.map((i) => [i.generation, i.pid, i.spans])).toEqual([
      [0, first, SPANS],
      [1, replacement, SPANS],
    ]);
    expect(slot0[0]?.instanceId).not.toBe(slot0[1]?.instanceId);
    expect(receiver().byInstance().find((i) => i.workerIndex === 1)).toMatchObject({ pid: other, generation: 0, spans: SPANS });
  });
});
