import { join } from 'node:path';
import { reapLeftovers, startNode } from '../../../test-utils/processes';
import { startReceiver } from '../src';
import { postJson, useReceivers } from './helpers';

const CLI = join(__dirname, '..', 'dist', 'cli.js');

/** One OTLP/JSON request with one span from each of `count` distinct instances, ids `prefix-0`.. */
function manyInstances(prefix: string, count: number, spansEach = 1): string {
  const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
  return JSON.stringify({
    resourceSpans: Array.from({ length: count }, (_, i) => ({
      resource: {
        attributes: [
          { key: 'service.name', value: { stringValue: 'crowd' } },
          { key: 'service.instance.id', value: { stringValue: `${prefix}-${i}` } },
          { key: 'process.pid', value: { intValue: 10_000 + i } },
        ],
      },
      scopeSpans: [
        {
          scope: { name: 'instances-test' },
          spans: Array.from({ length: spansEach }, (_, s) => ({
            traceId: hex(i + 1, 32),
            spanId: hex(i * 16 + s + 1, 16),
            name: `span-${s}`,
            kind: 1,
            startTimeUnixNano: '1000000',
            endTimeUnixNano: '2000000',
          })),
        },
      ],
    })),
  });
}

afterAll(async () => {
  expect(await reapLeftovers()).toEqual([]);
});

describe('a bounded number of instances', () => {
  const startOwn = useReceivers();

  it('tracks at most maxInstances ids (default 1,000), counts the spans of the rest in the totals and in spansUntracked', async () => {
    const receiver = await startOwn({ maxSpans: 0 });
    expect(receiver.options.maxInstances).toBe(1_000);
    for (let batch = 0; batch < 6; batch++) {
      expect((await postJson(receiver.tracesUrl, manyInstances(`b${batch}`, 500))).status).toBe(200);
    }
    expect(receiver.count()).toBe(3_000);
    expect(receiver.byInstance()).toHaveLength(1_000);
    expect(receiver.stats()).toMatchObject({ spansReceived: 3_000, instancesTracked: 1_000, spansUntracked: 2_000, maxInstances: 1_000 });
    // The first thousand are tracked, exactly: they keep counting.
    expect((await postJson(receiver.tracesUrl, manyInstances('b0', 2, 3))).status).toBe(200);
    expect(receiver.byInstance().slice(0, 2).map((i) => [i.instanceId, i.spans])).toEqual([
      ['b0-0', 4],
      ['b0-1', 4],
    ]);
    expect(receiver.stats().spansUntracked).toBe(2_000);
  });

  it('rejects a bad maxInstances, naming it', async () => {
    await expect(startReceiver({ port: 0, maxInstances: -1 })).rejects.toThrow(/maxInstances.*expected an integer from 0/);
  });

  it('keeps memory bounded with 20,000 distinct instances (loose: under 40 MiB of heap growth at maxInstances 100)', async () => {
    const receiver = await startOwn({ maxSpans: 0, maxInstances: 100 });
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    for (let batch = 0; batch < 20; batch++) {
      expect((await postJson(receiver.tracesUrl, manyInstances(`m${batch}`, 1_000))).status).toBe(200);
    }
    global.gc?.();
    const grown = process.memoryUsage().heapUsed - before;
    expect(receiver.byInstance()).toHaveLength(100);
    expect(receiver.stats()).toMatchObject({ spansReceived: 20_000, spansUntracked: 19_900 });
    expect(grown).toBeLessThan(40 * 1024 * 1024);
  });

  it('the CLI (--max-instances) prints a progress line of bounded length: the top 10 instances, then "… and K more"', async () => {
    const cli = startNode(CLI, { args: ['--port', '0', '--max-instances', '50'] });
    const first = await cli.waitFor(/listening on/);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+) /.exec(first)![1]!;
    // Instance 7 sends 5 spans: it must be among those named.
    expect((await postJson(`${url}/v1/traces`, manyInstances('c', 400))).status).toBe(200);
    expect((await postJson(`${url}/v1/traces`, manyInstances('c', 8, 4))).status).toBe(200);
    const line = await cli.waitFor(/^432 spans/, 15_000);
    expect(line).toMatch(/^432 spans: (crowd pid \d+=\d+, ){10}… and 40 more, 350 from instances beyond max-instances \(2 requests\)$/);
    expect(line).toContain('crowd pid 10007=5');
    expect(line.length).toBeLessThan(400);
    process.kill(cli.pid, 'SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(cli.stdout().trim().split('\n').at(-1)).toBe(
      'forkhooks-receiver stopped (SIGTERM): 432 spans in 2 requests from 50 instances (and 350 spans from instances beyond --max-instances)',
    );
  });
});
