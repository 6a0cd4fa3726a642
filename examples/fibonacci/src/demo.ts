import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactUrl } from '@forkhooks/core';
import { startReceiver, type InstanceSummary, type Receiver } from '@forkhooks/receiver';
import { readStarted, readStats, STATS_DIR_VAR, type WorkerStats } from './stats-file';
import { REQUESTS_COUNTER } from './metrics';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

/** What a demo starts: the workers of one runtime, and how to stop them gracefully. */
export interface DemoTarget {
  /** Shown in the banner, e.g. "worker_threads". */
  name: string;
  /** Starts the workers with `env` (the exporter endpoint and stats folder set); resolves when they serve. */
  start(env: NodeJS.ProcessEnv): Promise<{ stop(): Promise<unknown> }>;
}

/** The per-worker table: one row per worker (service.instance.id). */
export function renderTable(instances: readonly InstanceSummary[]): string {
  if (instances.length === 0) return '';
  const rows = instances.map((i) => [String(i.workerIndex ?? '?'), String(i.generation ?? '?'), String(i.runtime ?? '?'), String(i.pid ?? '?'), String(i.spans)]);
  const head = ['worker', 'gen', 'runtime', 'pid', 'spans'];
  const width = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]?.length ?? 0)));
  const line = (cells: string[]): string => cells.map((cell, c) => cell.padEnd(width[c] ?? 0)).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

/**
 * The demo's last line: what arrived against what the workers ended, worker by worker, so it is a
 * true count and never negative. A worker that was killed left no count: the loss is then a lower
 * bound, and the line says so (`at least N lost; 1 worker was killed before it could report`).
 */
export function finalLine(statsDir: string, receiver: Receiver | undefined, external: string | undefined): string {
  const stats = readStats(statsDir);
  const reported = new Set(stats.map((s) => s.workerId));
  const unreported = readStarted(statsDir).filter((w) => !reported.has(w.workerId)).length;
  const ended = stats.reduce((sum, s) => sum + s.spansEnded, 0);
  if (receiver) {
    const received = receiver.count();
    const instances = receiver.byInstance();
    const arrivedFrom = (s: WorkerStats): number => instances.filter((i) => i.worker.id === s.workerId).reduce((sum, i) => sum + i.spans, 0);
    const lost = stats.reduce((sum, s) => sum + Math.max(0, s.spansEnded - arrivedFrom(s)), 0);
    // What the workers' counters say (their final export at atexit included): the requests they answered.
    const counted = receiver.counterTotal(REQUESTS_COUNTER);
    return `received ${received} spans from ${plural(instances.length, 'worker')} (${lossNote(lost, unreported)}); metrics: ${counted} requests counted`;
  }
  const exported = stats.reduce((sum, s) => sum + s.spansExported, 0);
  return `exported ${exported} of ${ended} spans ended by ${plural(stats.length, 'worker')} to ${external} (${lossNote(ended - exported, unreported)})`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** `K lost`, or a lower bound when some workers never reported. */
function lossNote(lost: number, unreported: number): string {
  if (unreported === 0) return `${lost} lost`;
  const who = unreported === 1 ? '1 worker was killed before it could report' : `${unreported} workers were killed before they could report`;
  return `at least ${lost} lost; ${who}`;
}

/** What prepareDemo sets up, for the workers (`env`) and for finishDemo. */
export interface PreparedDemo {
  receiver: Receiver | undefined;
  /** The collector configured by OTEL_EXPORTER_OTLP_*, redacted for printing (redactUrl). */
  external: string | undefined;
  statsDir: string;
  env: NodeJS.ProcessEnv;
}

/** Everything a demo needs before it starts workers: the receiver (unless a collector is set) and the env for the workers. */
export async function prepareDemo(): Promise<PreparedDemo> {
  const configured = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined;
  // Printed on stdout (here and in the final line): never with its user info or query string.
  const external = configured && redactUrl(configured);
  const receiver = external ? undefined : await startReceiver({ host: '127.0.0.1', port: Number(process.env.RECEIVER_PORT ?? 0) });
  const statsDir = mkdtempSync(join(tmpdir(), 'forkhooks-demo-'));
  say(
    receiver
      ? `receiver: ${receiver.tracesUrl}, OTLP/gRPC ${receiver.grpcUrl} (spans per worker: curl ${receiver.url}/)`
      : `exporting to ${external} (OTEL_EXPORTER_OTLP_*): no embedded receiver`,
  );
  // OTEL_EXPORTER_OTLP_PROTOCOL=grpc npm start: the workers export to the receiver's gRPC port.
  const grpc = (process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || process.env.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim() === 'grpc';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...(receiver && { OTEL_EXPORTER_OTLP_ENDPOINT: grpc ? receiver.grpcUrl : receiver.url }),
    OTEL_SERVICE_NAME: process.env.OTEL_SERVICE_NAME ?? 'fibonacci',
    // A live table wants spans within a second, not the spec's 5 s batch delay; OTEL_BSP_SCHEDULE_DELAY still wins.
    OTEL_BSP_SCHEDULE_DELAY: process.env.OTEL_BSP_SCHEDULE_DELAY ?? '1000',
    [STATS_DIR_VAR]: statsDir,
  };
  return { receiver, external, statsDir, env };
}

/** Prints the table whenever it changes (at most once a second); returns the timer to clear. */
export function liveTable(receiver: Receiver | undefined): NodeJS.Timeout {
  let last = '';
  const timer = setInterval(() => {
    const now = receiver ? renderTable(receiver.byInstance()) : '';
    if (now && now !== last) say(now);
    last = now;
  }, 1_000);
  timer.unref();
  return timer;
}

/** Once every worker is gone: stops the table, prints the final line (unless the start failed), removes the stats folder, closes the receiver. */
export async function finishDemo(demo: PreparedDemo, table?: NodeJS.Timeout, report = true): Promise<void> {
  clearInterval(table);
  if (report) say(finalLine(demo.statsDir, demo.receiver, demo.external));
  rmSync(demo.statsDir, { recursive: true, force: true });
  await demo.receiver?.close();
}

/**
 * Runs a demo of one runtime: receiver, workers, live table; on Ctrl-C or SIGTERM (once) stops
 * the workers gracefully and prints `received N spans from M workers (K lost); metrics: R requests counted`.
 */
export async function runDemo(target: DemoTarget): Promise<void> {
  const demo = await prepareDemo();
  let running: { stop(): Promise<unknown> };
  try {
    running = await target.start(demo.env);
  } catch (error) {
    await finishDemo(demo, undefined, false);
    throw error;
  }
  say(`${target.name}: try curl 'http://localhost:${process.env.PORT || 3000}/fibonacci?n=10'; stop with Ctrl-C`);
  const table = liveTable(demo.receiver);
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(table);
    await running.stop();
    await finishDemo(demo, table);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}
