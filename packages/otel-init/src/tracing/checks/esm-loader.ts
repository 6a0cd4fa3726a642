// Never silent: an ESM app whose imports were loaded without OpenTelemetry's loader hook gets no
// http or framework spans (instrumentations hook `require`, which ES modules do not go through).
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { log } from '@forkhooks/core';
import { appEntry } from '../app-require';
import { esmHookRegistration } from '../esm-hook';

/** The fix, as the warning and the README say it. */
export function esmFix(entry: string): string {
  return `start it with node --import @forkhooks/otel-init/register ${basename(entry)} (or NODE_OPTIONS="--import @forkhooks/otel-init/register" where the command is not yours)`;
}

/**
 * Whether the app's entry was loaded as an ES module, as Node decided it: by its extension, its
 * package's "type", TypeScript type stripping (`node app.ts`), a loader such as tsx, or syntax
 * detection (a typeless `.js` with `import`: Node >= 20.19 / 22.12). Node makes a CommonJS entry
 * `process.mainModule` before it runs it, also under tsx and PM2, and never an ES module entry.
 * (require.cache is no proof: syntax detection leaves the CommonJS attempt there, `require.main` is
 * fixed when the module asking was loaded, before the entry under `--require`.)
 * In a worker thread the entry of argv is not this thread's: its file name decides, as before.
 */
export function loadedAsEsm(entry: string, main: { filename?: string } | undefined = mainModule()): boolean {
  if (!isMainThread) return isEsmFile(entry);
  if (main?.filename === undefined) return true;
  return main.filename !== entry && realpath(main.filename) !== realpath(entry);
}

/** Node's record of the CommonJS entry (documented, deprecated in favour of require.main, which cannot serve here: see above). */
function mainModule(): { filename?: string } | undefined {
  return (process as { mainModule?: { filename?: string } }).mainModule;
}

function realpath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/** By name only: .mjs/.mts, or .js (or no extension) under a package.json with "type": "module". */
function isEsmFile(file: string): boolean {
  const ext = extname(file);
  if (ext === '.mjs' || ext === '.mts') return true;
  if (ext !== '.js' && ext !== '') return false;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type === 'module';
      } catch {
        return false; // Node would fail on it first
      }
    }
    if (dirname(dir) === dir) return false;
  }
}

/** The app's entry: PM2 runs it from its own container script (argv[1]) and names it in pm_exec_path. */
function entryFile(): string | undefined {
  const pm2 = process.env.pm_exec_path;
  return pm2 !== undefined && existsSync(pm2) ? pm2 : appEntry();
}

/** One warning when the app's entry is an ES module and the loader hook was not registered before its imports. */
export function checkEsmLoader(entry: string | undefined = entryFile()): void {
  if (entry === undefined) return;
  const registration = esmHookRegistration();
  if (registration === 'preload' || !loadedAsEsm(entry)) return;
  const why =
    registration === 'late'
      ? "@forkhooks/otel-init/register was imported from inside the app's ES modules, after their imports were loaded"
      : "OpenTelemetry's ESM loader hook is not registered";
  log.warn(`${entry} is an ES module and ${why}: its http and framework calls make no spans; ${esmFix(entry)}`);
}
