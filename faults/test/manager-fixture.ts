// The managed app both manager fault suites drive (manager.test.ts: issue 12; manager-actions.test.ts:
// issue 22): manager-app.js as a runCluster of 2 traced workers with a control API, and its stop.
import { join } from 'node:path';
import { freePort, httpGet } from '../../test-utils/http';
import { type App, FIXTURES, startApp, within } from './helpers';

export const MANAGER_APP = join(FIXTURES, 'manager-app.js');

/** A running manager-app.js: its app, its HTTP port and URL, and its control API (`C`: what a suite reads of its replies). */
export interface Manager<C> {
  app: App;
  port: number;
  url: string;
  /** GET `path` on the control API (`/reload`, `/scale?n=3`, …), its JSON reply. */
  control<T = C>(path: string): Promise<T>;
}

/** Starts manager-app.js exporting to `endpoint`, with `env` over the defaults; resolves once every worker is ready. */
export async function startManager<C>(endpoint: string, env: NodeJS.ProcessEnv = {}, options: { detached?: boolean } = {}): Promise<Manager<C>> {
  const [port, controlPort] = [await freePort(), await freePort()];
  const app = startApp(
    { WORKERS: '2', PORT: String(port), CONTROL_PORT: String(controlPort), OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '200', ...env },
    MANAGER_APP,
    options,
  );
  await app.proc.waitFor(/ALL READY/, 30_000);
  app.pids();
  return {
    app,
    port,
    url: `http://127.0.0.1:${port}/`,
    async control<T = C>(path: string) {
      const reply = await httpGet(`http://127.0.0.1:${controlPort}${path}`, 60_000);
      app.pids();
      return JSON.parse(reply.body) as T;
    },
  };
}

/** SIGTERM to the primary; its exit, bounded. */
export async function stopPrimary(app: App): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'timeout'> {
  app.proc.child.kill('SIGTERM');
  const exit = await within(app.proc.exited, 30_000, 'timeout' as const);
  app.pids();
  return exit;
}
