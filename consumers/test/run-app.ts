// Runs an installed consumer app (a 2-worker runCluster) on a chosen Node against a real receiver on
// 127.0.0.1, sends it `requests` GETs, stops it with SIGTERM, and reads what arrived.
import { join } from 'node:path';
import type { Receiver } from '@forkhooks/receiver';
import { freePort, httpGet } from '../../test-utils/http';
import { startNode, waitGone } from '../../test-utils/processes';
import type { InstalledApp } from './install';

/** The app's worker count (fixtures/app.js and app.mjs). */
export const WORKERS = 2;

/** What the app did and what the receiver got from it. */
export interface AppRun {
  /** `process.version` of the app. */
  nodeVersion: string;
  /** The @opentelemetry/api version the app's own entry resolved. */
  appApi: string;
  /** The workers' pids (from their ready lines) and the pids that answered requests. */
  workerPids: number[];
  servedBy: number[];
  /** Spans received: http server spans, user spans, and the user spans whose parent is a server span of their trace. */
  serverSpans: number;
  /** The server spans' names, sorted and deduplicated (`GET`; `GET /order/:id` with Express's instrumentation). */
  serverNames: string[];
  userSpans: number;
  childrenOfServer: number;
  /** The pids (resource `process.pid`) that sent a user span under a server span. */
  childrenFrom: number[];
  exitCode: number | null;
  stderr: string;
}

/**
 * Runs `app.entry` (or `extra.entry`, in the same folder) with `bin`'s node (`--import` register for ESM)
 * against `receiver` (its own), serving `requests` requests; `extra.env` is added to its environment.
 */
export async function runApp(
  app: InstalledApp,
  receiver: Receiver,
  bin: string,
  esm: boolean,
  requests: number,
  serviceName: string,
  extra: { entry?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<AppRun> {
  const port = await freePort();
  const proc = startNode(join(app.dir, extra.entry ?? app.entry), {
    node: join(bin, 'node'),
    nodeArgs: esm ? ['--import', '@forkhooks/otel-init/register'] : [],
    cwd: app.dir,
    env: { PORT: String(port), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: serviceName, ...extra.env },
  });
  const workerPids: number[] = [];
  let appApi = '';
  let nodeVersion = '';
  const servedBy = new Set<number>();
  try {
    const first = await proc.waitFor(/^app node=/, 30_000);
    nodeVersion = /node=(\S+)/.exec(first)?.[1] ?? '';
    appApi = /api=(\S+)/.exec(first)?.[1] ?? '';
    for (let i = 0; i < WORKERS; i++) workerPids.push(Number(/pid=(\d+)/.exec(await proc.waitFor(new RegExp(`^ready index=${i} `), 30_000))?.[1]));
    for (let i = 0; i < requests; i++) servedBy.add(Number((await httpGet(`http://127.0.0.1:${port}/order/${i}`, 10_000)).body));
  } finally {
    proc.child.kill('SIGTERM');
    const timer = setTimeout(() => proc.child.kill('SIGKILL'), 20_000);
    await proc.exited;
    clearTimeout(timer);
    await waitGone(workerPids, 10_000);
  }
  const { code } = await proc.exited;

  // Every span came through the workers' atexit flush before the primary exited.
  const spans = receiver.spans();
  const server = new Map(spans.filter((s) => s.kind === 'server').map((s) => [s.spanId, s]));
  const user = spans.filter((s) => s.name === 'user-span');
  const children = user.filter((s) => s.parentSpanId !== undefined && server.get(s.parentSpanId)?.traceId === s.traceId);
  return {
    nodeVersion,
    appApi,
    workerPids,
    servedBy: [...servedBy].sort((a, b) => a - b),
    serverSpans: server.size,
    serverNames: [...new Set([...server.values()].map((s) => s.name))].sort(),
    userSpans: user.length,
    childrenOfServer: children.length,
    childrenFrom: [...new Set(children.map((s) => Number(s.resource['process.pid'])))].sort((a, b) => a - b),
    exitCode: code,
    stderr: proc.stderr(),
  };
}
