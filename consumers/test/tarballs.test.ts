// The four packages as users get them: packed into tarballs, installed into fresh apps outside the repo
// on Node 20 and 24, CommonJS and ESM, with @opentelemetry/api installed before or after them. In
// every app, `npm ls` exits 0 with one api copy, and a manual span made through the app's OWN api
// arrives as a child of the http server span, from every worker. On Node 24 npm gives a fresh app
// OpenTelemetry JS 3.x: this is where CI exercises the 3.x line (the repo's lockfile pins one line).
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { nodeBinDir } from '../../test-utils/node-version';
import { packPublished } from '../../test-utils/pack';
import { reapLeftovers, tempDir } from '../../test-utils/processes';
import { useReceivers } from '../../test-utils/receiver';
import { COMBOS, comboId, NODES, type Combo } from './combos';
import { installApp, type InstalledApp } from './install';
import { formatMatrix, type MatrixRow } from './matrix';
import { runApp, WORKERS, type AppRun } from './run-app';

const REQUESTS = 20;
/** Installs are mostly npm's CPU time: no more at once than the 2 cores CI has. */
const CONCURRENCY = Math.max(1, Math.min(2, availableParallelism()));
const RESULTS = join(__dirname, '..', 'results', 'latest.md');

interface Outcome {
  nodeVersion: string;
  app?: Omit<InstalledApp, 'cleanup' | 'dir'>;
  run?: AppRun;
  error?: string;
}

async function eachBounded<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const lane = async (): Promise<void> => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  };
  await Promise.all(Array.from({ length: limit }, lane));
}

describe('the packed tarballs in fresh user apps (Node x CJS/ESM x install order)', () => {
  const tarballDir = tempDir('forkhooks-tarballs-');
  const outcomes = new Map<string, Outcome>();
  const startOwn = useReceivers();

  beforeAll(async () => {
    const tarballs = packPublished(tarballDir.path);
    const bins = new Map<number, string>(NODES.map((major) => [major, nodeBinDir(major)]));
    await eachBounded(COMBOS, CONCURRENCY, async (combo) => {
      const bin = bins.get(combo.node) as string;
      const outcome: Outcome = { nodeVersion: `${combo.node}` };
      outcomes.set(comboId(combo), outcome);
      let app: InstalledApp | undefined;
      try {
        app = await installApp(combo, tarballs, bin);
        const { dir: _dir, cleanup: _cleanup, ...installed } = app;
        outcome.app = installed;
        outcome.run = await runApp(app, await startOwn(), bin, combo.module === 'esm', REQUESTS, `consumer-${comboId(combo)}`);
        outcome.nodeVersion = outcome.run.nodeVersion;
      } catch (error) {
        outcome.error = error instanceof Error ? error.message : String(error);
      } finally {
        app?.cleanup();
      }
    });
  }, 15 * 60_000);

  afterAll(async () => {
    tarballDir.cleanup();
    const rows: MatrixRow[] = COMBOS.map((combo) => toRow(combo, outcomes.get(comboId(combo))));
    const table = formatMatrix(rows, new Date());
    mkdirSync(join(RESULTS, '..'), { recursive: true });
    writeFileSync(RESULTS, table);
    process.stdout.write(`\n${table}\n(also in ${RESULTS})\n`);
    expect(await reapLeftovers()).toEqual([]);
  });

  const cases = COMBOS.map((combo) => [comboId(combo), combo] as const);

  // How each app installs: the plain install, except on Node 20 with api first (ERESOLVE, then the README's named line).
  const installCases = cases.map(
    ([id, combo]) => [id, combo.node === 20 && combo.order === 'api-first' ? "the plain install stops with npm's ERESOLVE, the README's named 3.x command installs" : 'the plain install installs', combo] as const,
  );
  it.each(installCases)('%s: %s, `npm ls --all` exits 0, and the tree holds exactly one @opentelemetry/api', (id, _how, combo) => {
    const { app, error } = outcomes.get(id) ?? {};
    expect(error).toBeUndefined();
    // npm 11 on Node 20 picks the 2.x SDK by its engines, which wants api < 1.10: an app that has api 1.10
    // already gets ERESOLVE (loud), and otel-init's README names the 3.x line for it. Everywhere else the
    // plain install works.
    expect(app?.installedWith).toBe(combo.node === 20 && combo.order === 'api-first' ? '3.x named after ERESOLVE' : 'plain');
    expect({ npmLs: app?.ls.code, problems: app?.ls.problems.slice(0, 3).map((l) => l.trim().slice(0, 240)) }).toEqual({ npmLs: 0, problems: [] });
    expect(app?.apiCopies).toHaveLength(1);
  });

  it.each(cases)("%s: the user's span, made through the app's own api, arrives as a child of the http server span from every worker", (id) => {
    const { run, error } = outcomes.get(id) ?? {};
    expect(error).toBeUndefined();
    if (run === undefined) throw new Error(`${id} did not run`);
    // Both workers served requests, so "from every worker" is checked, not assumed.
    expect(run.servedBy).toEqual(run.workerPids);
    // Our own warnings are shown (and must be none in a setup that works); the rest of stderr is not ours.
    const warnings = run.stderr.split('\n').filter((line) => /^\[forkhooks (warn|error)/.test(line));
    expect({ children: run.childrenOfServer, from: run.childrenFrom, exit: run.exitCode, warnings }).toEqual({
      children: REQUESTS,
      from: run.workerPids,
      exit: 0,
      warnings: [],
    });
    expect(run.workerPids).toHaveLength(WORKERS);
  });

  // The line each app gets: 2.x only on Node 20 with api installed after the tarballs (npm picks the 2.x
  // SDK by its engines); 3.x on Node 24, and on Node 20 with api 1.10 first (the README's named line).
  const expectedLines = cases.map(([id, combo]) => [id, combo.node === 20 && combo.order === 'api-after' ? 2 : 3] as const);
  it.each(expectedLines)('%s: otel-init resolves OpenTelemetry JS %d.x (the majors of @opentelemetry/core and @opentelemetry/sdk-trace)', (id, major) => {
    const app = outcomes.get(id)?.app;
    expect({ line: app?.line, sdkTraceMajor: app?.sdkTraceMajor }).toEqual({ line: `${major}.x`, sdkTraceMajor: major });
  });

  it.each(cases.filter(([, c]) => c.node >= 24))('%s: runs OpenTelemetry JS 3.x, the line npm gives a fresh app on Node >= 22.15', (id) => {
    expect(outcomes.get(id)?.app?.line).toBe('3.x');
  });
});

function toRow(combo: Combo, outcome: Outcome | undefined): MatrixRow {
  const app = outcome?.app;
  const run = outcome?.run;
  return {
    combo,
    nodeVersion: outcome?.nodeVersion ?? String(combo.node),
    line: app?.line,
    spans: run && { received: run.childrenOfServer, expected: REQUESTS },
    serverSpans: run?.serverSpans,
    userSpans: run?.userSpans,
    workers: run && { received: run.childrenFrom.length, expected: WORKERS },
    npmLs: app?.ls.code,
    apiCopies: app?.apiCopies.map((c) => `${c.version} (${c.path})`),
    appApi: run?.appApi,
    peerOverrides: app?.peerOverrides,
    installedWith: app?.installedWith,
    error: outcome?.error,
  };
}
