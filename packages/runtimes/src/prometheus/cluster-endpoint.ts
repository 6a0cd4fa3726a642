// Cluster metrics, primary side: one feature in three packages (core, otel-init, here); see "Cluster metrics" in packages/runtimes/README.md.
import cluster, { type Worker } from 'node:cluster';
import type * as Http from 'node:http';
import type { Server } from 'node:http';
import { describeError } from '@forkhooks/core';
import { isMessage, onceEach, type MetricFamily, type WorkerMessage } from '@forkhooks/core/manager';
import { log } from '../log';
import { addFamilies, workerGauges, type MergedFamilies } from './merge';
import { serialize, TEXT_FORMAT_CONTENT_TYPE } from './text-format';

/** A worker the endpoint may ask. */
export interface ScrapeTarget {
  worker: Worker;
  pid: number;
  workerIndex: number;
  generation: number;
}

/** Where the cluster's /metrics listens and how long a scrape waits for the workers. */
export interface ClusterMetricsOptions {
  host: string;
  port: number;
  scrapeTimeoutMs: number;
}

/** What one scrape found. */
export interface ScrapeResult {
  text: string;
  asked: number;
  answered: number;
  /** Workers that did not answer in time: their counters are from their last answer. */
  missing: ScrapeTarget[];
}

type MetricsResponse = Extract<WorkerMessage, { forkhooks: 'metrics-response' }>;

/**
 * The primary's one /metrics for the cluster. On each scrape it asks every live worker for its
 * cumulative metrics over IPC, waits up to scrapeTimeoutMs, and merges: counters and histograms
 * summed per label set, gauges per worker (`worker` label). Counters stay monotonic across restarts:
 * it keeps each worker's last cumulative values (from the last scrape, or the final snapshot a
 * worker sends at atexit) and, once the worker has exited, adds them to a running total. Workers are
 * known by their Worker object, never by pid: a pid comes round again (in a container's small pid
 * space within minutes of restarts), and an exited worker is forgotten once its counts are folded in.
 */
export class ClusterMetricsEndpoint {
  readonly #latest = new Map<Worker, { workerIndex: number; generation: number; families: MetricFamily[] }>();
  /** Workers whose last counts are in #retired: a late answer of theirs is not counted twice. Weak: nothing is kept for them. */
  readonly #exited = new WeakSet<Worker>();
  readonly #retired: MergedFamilies = new Map();
  readonly #waiting = new Map<number, { pending: Set<Worker>; done: () => void }>();
  #nextId = 1;
  #server: Server | undefined;
  readonly #onMessage = (worker: Worker, message: unknown): void => this.#receive(worker, message);
  readonly #onExit = (worker: Worker): void => this.#retire(worker);

  constructor(
    private readonly options: ClusterMetricsOptions,
    private readonly targets: () => ScrapeTarget[],
  ) {}

  /** Starts listening; resolves with the URL, or rejects with why it could not listen. */
  async listen(): Promise<string> {
    cluster.on('message', this.#onMessage);
    cluster.on('exit', this.#onExit);
    // Loaded here, not at import: runtimes is loaded in every worker too, and an early require of http
    // there changes what instrumentation sees of an ES module app's own `import 'node:http'`.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createServer } = require('node:http') as typeof Http;
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('the cluster metrics are at GET /metrics\n');
        return;
      }
      this.scrape().then(
        (result) => res.writeHead(200, { 'content-type': TEXT_FORMAT_CONTENT_TYPE }).end(req.method === 'HEAD' ? undefined : result.text),
        (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`scrape failed: ${describeError(error)}\n`),
      );
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : this.options.port;
    return `http://${this.options.host === '0.0.0.0' ? 'localhost' : this.options.host}:${port}/metrics`;
  }

  /** Asks every live worker, waits up to the scrape timeout, merges. */
  async scrape(): Promise<ScrapeResult> {
    const targets = this.targets().filter((t) => !this.#exited.has(t.worker));
    const id = this.#nextId++;
    const pending = new Set(targets.map((t) => t.worker));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.options.scrapeTimeoutMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#waiting.set(id, { pending, done });
      for (const target of targets) {
        if (!this.#latest.has(target.worker)) this.#latest.set(target.worker, { workerIndex: target.workerIndex, generation: target.generation, families: [] });
        try {
          target.worker.send({ forkhooks: 'metrics-request', id });
        } catch {
          // A closing channel: the worker is named as not answering.
        }
      }
      if (pending.size === 0) done();
    });
    this.#waiting.delete(id);
    const missing = targets.filter((t) => pending.has(t.worker) && !this.#exited.has(t.worker));
    return { text: this.#render(targets.length, missing), asked: targets.length, answered: targets.length - pending.size, missing };
  }

  /** Stops listening and forgets the workers. */
  async close(): Promise<void> {
    cluster.off('message', this.#onMessage);
    cluster.off('exit', this.#onExit);
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #receive(worker: Worker, message: unknown): void {
    if (!isMessage(message, 'metrics-response')) return;
    const response = message as MetricsResponse;
    if (this.#exited.has(worker) || !Array.isArray(response.families)) return;
    const previous = this.#latest.get(worker);
    this.#latest.set(worker, { workerIndex: Number(response.workerIndex), generation: previous?.generation ?? 0, families: response.families });
    const waiting = this.#waiting.get(Number(response.id));
    if (waiting) {
      waiting.pending.delete(worker);
      if (waiting.pending.size === 0) waiting.done();
    }
  }

  /** A worker exited: its last cumulative counters and histograms join the running total. */
  #retire(worker: Worker): void {
    this.#exited.add(worker);
    const last = this.#latest.get(worker);
    this.#latest.delete(worker);
    if (last) this.#note(addFamilies(this.#retired, last.families, false));
    for (const waiting of this.#waiting.values()) {
      waiting.pending.delete(worker);
      if (waiting.pending.size === 0) waiting.done();
    }
  }

  #render(asked: number, missing: ScrapeTarget[]): string {
    const merged: MergedFamilies = new Map();
    const conflicts = addFamilies(merged, [...this.#retired.values()].map(({ family, points }) => ({ ...family, points: [...points.values()] })), false);
    const missingWorkers = new Set(missing.map((t) => t.worker));
    // Older generations first: a slot's newer worker's gauges win.
    const live = [...this.#latest.entries()].sort(([, a], [, b]) => a.generation - b.generation);
    for (const [worker, { workerIndex, families }] of live) {
      conflicts.push(...addFamilies(merged, families, false));
      if (!missingWorkers.has(worker)) conflicts.push(...addFamilies(merged, workerGauges(families, workerIndex), true));
    }
    this.#note(conflicts);
    const lines = [
      '# HELP forkhooks_scrape_workers Live workers this scrape asked for their metrics, by whether they answered in time.',
      '# TYPE forkhooks_scrape_workers gauge',
      `forkhooks_scrape_workers{state="answered"} ${asked - missing.length}`,
      `forkhooks_scrape_workers{state="missing"} ${missing.length}`,
      ...missing.map(
        (t) => `# forkhooks: worker ${t.workerIndex} (pid ${t.pid}) did not answer within ${this.options.scrapeTimeoutMs} ms; its counters are from its last answer and its gauges are left out`,
      ),
    ];
    return serialize(merged) + lines.join('\n') + '\n';
  }

  /** Each conflict is said once: a scrape every few seconds must not repeat it. */
  readonly #firstNote = onceEach();
  #note(conflicts: string[]): void {
    for (const conflict of conflicts) {
      if (!this.#firstNote(conflict)) continue;
      log.warn(`cluster /metrics: ${conflict}; the points that differ are left out`);
    }
  }
}
