// A fresh user app outside the repo (os.tmpdir()), installed from the tarballs in one of the two
// orders, and what npm built: `npm ls`'s verdict, every @opentelemetry/api copy, the OTel line.
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { tempDir } from '../../test-utils/processes';
import type { Combo } from './combos';
import { comboId } from './combos';
import { npm } from './npm';

/** An installed app folder and what its install gave. */
export interface InstalledApp {
  dir: string;
  cleanup(): void;
  /** The app's entry file name in `dir`. */
  entry: string;
  /** `npm ls --all` exit code, and the lines of its output that name a problem. */
  ls: { code: number | null; problems: string[] };
  /** Every installed @opentelemetry/api: version and folder, relative to the app. */
  apiCopies: Array<{ version: string; path: string }>;
  /** The OpenTelemetry JS line otel-init resolves: `2.x` or `3.x` (the major of @opentelemetry/core it loads). */
  line: string;
  /** The major of the @opentelemetry/sdk-trace otel-init resolves (2 on the 2.x line, 3 on 3.x), or undefined without one. */
  sdkTraceMajor: number | undefined;
  /** How many `ERESOLVE overriding peer dependency` warnings the installs printed. */
  peerOverrides: number;
  /**
   * `plain`: `npm install <the tarballs>` built the tree. `3.x named after ERESOLVE`: the plain install
   * stopped with ERESOLVE (an app with api 1.10 on Node 20, where npm picks the 2.x SDK by its engines
   * and 2.x wants api < 1.10), and the command otel-init's README gives for that case built it.
   */
  installedWith: 'plain' | '3.x named after ERESOLVE';
}

/** otel-init's README, "Versions": name the 3.x line when npm cannot choose it (Node 20, api 1.10 already installed). */
export const NAMED_3X_LINE = [
  '@opentelemetry/sdk-trace@^3',
  '@opentelemetry/core@^3',
  '@opentelemetry/resources@^3',
  '@opentelemetry/context-async-hooks@^3',
  '@opentelemetry/exporter-trace-otlp-proto@^0.301',
  '@opentelemetry/sdk-metrics@^3',
  '@opentelemetry/exporter-metrics-otlp-proto@^0.301',
  '@opentelemetry/instrumentation@^0.301',
  '@opentelemetry/instrumentation-http@^0.301',
];

const FIXTURES = join(__dirname, 'fixtures');

const version = (packageJson: string): string => (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;

/** Every node_modules/@opentelemetry/api under `root`, nested copies included. */
function findApiCopies(root: string, modules = join(root, 'node_modules')): Array<{ version: string; path: string }> {
  if (!existsSync(modules)) return [];
  const found: Array<{ version: string; path: string }> = [];
  for (const name of readdirSync(modules)) {
    const packages = name.startsWith('@') ? readdirSync(join(modules, name)).map((n) => join(modules, name, n)) : [join(modules, name)];
    for (const dir of packages) {
      if (relative(modules, dir) === join('@opentelemetry', 'api')) found.push({ version: version(join(dir, 'package.json')), path: relative(root, dir) });
      found.push(...findApiCopies(root, join(dir, 'node_modules')));
    }
  }
  return found;
}

/**
 * The major of an @opentelemetry package as otel-init resolves it, found the way Node looks
 * (otel-init's node_modules, then each parent's): 3.x does not export its package.json.
 */
function resolvedMajor(dir: string, name: string): number | undefined {
  for (let from = join(dir, 'node_modules', '@forkhooks', 'otel-init'); from.startsWith(dir); from = dirname(from)) {
    const manifest = join(from, 'node_modules', '@opentelemetry', name, 'package.json');
    if (existsSync(manifest)) return Number(version(manifest).split('.')[0]);
  }
  return undefined;
}

/** The line by the major of @opentelemetry/core (it exists on both lines). */
function otelLine(dir: string): string {
  const major = resolvedMajor(dir, 'core');
  return major === undefined ? 'none' : `${major}.x`;
}

/** Creates the app of `combo` and installs it with npm under `bin`'s Node; throws with npm's output when an install fails. */
export async function installApp(combo: Combo, tarballs: string[], bin: string): Promise<InstalledApp> {
  const { path: dir, cleanup } = tempDir(`forkhooks-consumer-${comboId(combo)}-`);
  const entry = combo.module === 'esm' ? 'app.mjs' : 'app.js';
  const type = combo.module === 'esm' ? 'module' : 'commonjs';
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'consumer-app', version: '1.0.0', private: true, type }, null, 2)}\n`);
  copyFileSync(join(FIXTURES, entry), join(dir, entry));

  const api = ['install', '@opentelemetry/api'];
  const ours = ['install', ...tarballs];
  let peerOverrides = 0;
  let installedWith: InstalledApp['installedWith'] = 'plain';
  for (const args of combo.order === 'api-first' ? [api, ours] : [ours, api]) {
    let step = await npm(args, dir, bin);
    if (step.code !== 0 && args === ours && /npm error code ERESOLVE/.test(step.output)) {
      // Loud, not silent: npm refuses the tree. The README's command for this case names the line.
      installedWith = '3.x named after ERESOLVE';
      step = await npm([...ours, ...NAMED_3X_LINE], dir, bin);
    }
    peerOverrides += step.output.match(/ERESOLVE overriding peer dependency/g)?.length ?? 0;
    if (step.code !== 0) {
      cleanup();
      const label = args === ours ? 'install <the tarballs>' : args.join(' ');
      const code = /npm error code (\S+)/.exec(step.output)?.[1] ?? 'no code';
      throw new Error(`npm ${label} exited ${step.code} (${code})\n${step.output}`);
    }
  }
  // `--all`: a peer range the tree breaks deep down (the nested api trap) is invisible to plain `npm ls`.
  const ls = await npm(['ls', '--all'], dir, bin, 60_000);
  const problems = ls.output.split('\n').filter((l) => /invalid|missing|extraneous|ERR/.test(l));
  return { dir, cleanup, entry, ls: { code: ls.code, problems }, apiCopies: findApiCopies(dir), line: otelLine(dir), sdkTraceMajor: resolvedMajor(dir, 'sdk-trace'), peerOverrides, installedWith };
}
