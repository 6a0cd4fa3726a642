import { httpGet } from '../../../test-utils/http';
import type { NodeProcess } from '../../../test-utils/processes';

// What the metrics process tests share with the cluster-metrics.js fixture: its ready lines and its load.

/** The pid a cluster-metrics.js worker printed when ready. */
export async function readyPid(proc: NodeProcess, index: number, generation: number): Promise<number> {
  const line = await proc.waitFor(new RegExp(`ready index=${index} generation=${generation} pid=\\d+`), 30_000);
  return Number(/pid=(\d+)/.exec(line)?.[1]);
}

/** Sends `count` GET /work, 8 at a time; returns how many were served (200) by each worker. */
export async function load(port: number, count: number): Promise<Map<string, number>> {
  const served = new Map<string, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) {
        next += 1;
        const reply = await httpGet(`http://127.0.0.1:${port}/work`, 10_000);
        if (reply.status === 200) served.set(reply.body.trim(), (served.get(reply.body.trim()) ?? 0) + 1);
      }
    }),
  );
  return served;
}

/** The requests served by all workers. */
export const sum = (served: Map<string, number>): number => [...served.values()].reduce((a, b) => a + b, 0);
