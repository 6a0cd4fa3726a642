// Steady HTTP load against 127.0.0.1, for fault tests: every request recorded with its latency,
// its status and which worker answered.
import { Agent } from 'node:http';
import { httpGet } from './http';
import { sleep } from './time';

/** One request of a load run. */
export interface LoadSample {
  /** When it was sent (ms since the epoch). */
  at: number;
  /** How long it took; for a failure, until it failed. */
  ms: number;
  /** HTTP status, 0 when it failed without an answer. */
  status: number;
  /** The pid in the `x-served-by` header, when the app sets it. */
  servedBy: number | undefined;
  /** The response's Connection header (a draining worker says close). */
  connection?: string;
  error?: string;
}

/** A load run in progress: `stop()` ends it and resolves with every sample. */
export interface Load {
  samples(): readonly LoadSample[];
  stop(): Promise<LoadSample[]>;
}

const running = new Set<Load>();

/** Stops every load still running (for afterAll: a scenario that failed half-way must not leave one behind). */
export async function stopAllLoads(): Promise<void> {
  await Promise.all([...running].map((load) => load.stop()));
}

/**
 * Sends GET `url` in `concurrency` loops, each waiting `pauseMs` between requests, until stopped.
 * Bounded: each request times out after `timeoutMs`, and stop() waits for the requests in flight.
 * Each request on a connection of its own, or with `keepAlive` over one keep-alive Agent of
 * `concurrency` sockets (as browsers, proxies and load balancers send).
 */
export function startLoad(url: string, options: { concurrency?: number; pauseMs?: number; timeoutMs?: number; keepAlive?: boolean } = {}): Load {
  const { concurrency = 2, pauseMs = 20, timeoutMs = 5_000 } = options;
  const agent = options.keepAlive ? new Agent({ keepAlive: true, maxSockets: concurrency }) : false;
  const samples: LoadSample[] = [];
  let active = true;
  const loop = async (): Promise<void> => {
    while (active) {
      const at = Date.now();
      try {
        const reply = await httpGet(url, timeoutMs, agent);
        const servedBy = Number(reply.headers['x-served-by']);
        const connection = reply.headers.connection as string | undefined;
        samples.push({ at, ms: Date.now() - at, status: reply.status, servedBy: Number.isFinite(servedBy) ? servedBy : undefined, ...(connection !== undefined && { connection }) });
      } catch (error) {
        samples.push({ at, ms: Date.now() - at, status: 0, servedBy: undefined, error: (error as Error).message });
      }
      if (active && pauseMs > 0) await sleep(pauseMs);
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  const load: Load = {
    samples: () => samples,
    async stop() {
      active = false;
      running.delete(load);
      await Promise.all(loops);
      if (agent) agent.destroy();
      return samples;
    },
  };
  running.add(load);
  return load;
}
