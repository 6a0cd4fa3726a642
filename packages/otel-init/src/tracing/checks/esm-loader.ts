// Never silent: an ESM app whose imports were loaded without OpenTelemetry's loader hook gets no
// http or framework spans (instrumentations hook `require`, which ES modules do not go through).
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { log } from '@forkhooks/core';
import { appEntry } from '../app-require';
import { esmHookRegistration } from '../esm-hook';

/** The fix, as the warning and the README say it. */
export function esmFix(entry: string): string {
  return `start it with node --import @forkhooks/otel-init/register ${basename(entry)} (or NODE_OPTIONS="--import @forkhooks/otel-init/register" where the command is not yours)`;
}

/** Whether `file` is loaded as an ES module: .mjs, or .js (or no extension) under a package.json with "type": "module". */
export function isEsmFile(file: string): boolean {
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

/** One warning when the app's entry is an ES module and the loader hook was not registered before its imports. */
export function checkEsmLoader(entry: string | undefined = appEntry()): void {
  if (entry === undefined || !isEsmFile(entry)) return;
  const registration = esmHookRegistration();
  if (registration === 'preload') return;
  const why =
    registration === 'late'
      ? "@forkhooks/otel-init/register was imported from inside the app's ES modules, after their imports were loaded"
      : "OpenTelemetry's ESM loader hook is not registered";
  log.warn(`${entry} is an ES module and ${why}: its http and framework calls make no spans; ${esmFix(entry)}`);
}
