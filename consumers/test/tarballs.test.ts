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
import { addAutoInstrumentations, type AutoInstrumentationsInstall } from './auto-instrumentations';
import { AUTO_INSTRUMENTATIONS_COMBOS, COMBOS, comboId, NODES, type Combo } from './combos';
import { installApp, type InstalledApp } from './install';
import { formatMatrix, type MatrixRow } from './matrix';
import { runApp, WORKERS, type AppRun } from './run-app';

const REQUESTS = 20;
/** Requests to the Express app of the auto-instrumentations apps. */
const EXPRESS_REQUESTS = 6;
/** Installs are mostly npm's CPU time: no more at once than the 2 cores CI has. */
const CONCURRENCY = Math.max(1, Math.min(2, availableParallelism()));
const RESULTS = join(__dirname, '..', 'results', 'latest.md');

interface Outcome {
  nodeVersion: string;
  app?: Omit<InstalledApp, 'cleanup' | 'dir'>;
  run?: AppRun;
  /** The README's auto-instrumentations line in the same app, and the Express app run after it (AUTO_INSTRUMENTATIONS_COMBOS). */
  auto?: AutoInstrumentationsInstall & { run?: AppRun; seconds: number };
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
        if (AUTO_INSTRUMENTATIONS_COMBOS.includes(comboId(combo))) {
          const started = Date.now();
          const auto = await addAutoInstrumentations(app, bin);
          const env = { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,express' };
          const run = auto.code === 0 ? await runApp(app, await startOwn(), bin, true, EXPRESS_REQUESTS, `consumer-${comboId(combo)}-express`, { entry: 'express.mjs', env }) : undefined;
          outcome.auto = { ...auto, ...(run && { run }), seconds: (Date.now() - started) / 1000 };
        }
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

  // otel-init's README (and the root one) give `npm install @opentelemetry/auto-instrumentations-node` for more
  // instrumentations. With today's latest that package depends on the 0.300 line (3.0) where otel-init's own
  // packages are 0.301 (3.1): otel-init's peer ranges take the whole 3.x family, so the line installs.
  const autoCases = cases.filter(([id]) => AUTO_INSTRUMENTATIONS_COMBOS.includes(id));
  it.each(autoCases)("%s: the README's auto-instrumentations line installs (`npm ls --all` exits 0), and Express routes name the server spans", (id) => {
    const { auto, error } = outcomes.get(id) ?? {};
    expect(error).toBeUndefined();
    if (auto === undefined) throw new Error(`${id} did not run the auto-instrumentations line`);
    process.stdout.write(`${id}: npm ${auto.line.join(' ')} -> ${JSON.stringify(auto.versions)} (${auto.seconds} s with the Express run)\n`);
    expect({ code: auto.code, error: auto.error, npmLs: auto.ls.code, problems: auto.ls.problems.slice(0, 3).map((l) => l.trim().slice(0, 240)) }).toEqual({
      code: 0,
      error: undefined,
      npmLs: 0,
      problems: [],
    });
    const run = auto.run as AppRun;
    const warnings = run.stderr.split('\n').filter((line) => /^\[forkhooks (warn|error)/.test(line));
    expect({ names: run.serverNames, servers: run.serverSpans, users: run.userSpans, exit: run.exitCode, warnings }).toEqual({
      names: ['GET /order/:id'],
      servers: EXPRESS_REQUESTS,
      users: EXPRESS_REQUESTS,
      exit: 0,
      warnings: [],
    });
    expect(run.servedBy).toEqual(run.workerPids);
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
    ...(outcome?.auto && {
      autoInstrumentations: `npm ${outcome.auto.line.join(' ')}: exit ${outcome.auto.code}, npm ls ${outcome.auto.ls.code}, ${outcome.auto.versions['@opentelemetry/auto-instrumentations-node']}; ${outcome.auto.run?.serverNames.join(', ') ?? '–'}`,
    }),
    error: outcome?.error,
  };
}
