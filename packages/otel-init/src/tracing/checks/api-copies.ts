// The trap this catches (DESIGN.md, "OpenTelemetry versions"): the provider is registered through
// the @opentelemetry/api copy otel-init resolves, and a copy of a higher minor version (api 1.10
// beside 1.9) does not read that global. The app's own tracer, and every instrumentation that
// resolves the app's copy, then get the no-op provider: zero spans, and every hook says ok.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { log } from '@forkhooks/core';
import type * as Api from '@opentelemetry/api';
import type { TracingHandle } from '../init-tracing';

/** One resolved copy of @opentelemetry/api. */
interface ApiCopy {
  version: string;
  /** Its package folder. */
  dir: string;
}

/** The app's entry file: require.main for CommonJS, else argv[1] (ESM, where require.main is unset). */
function entryFile(): string | undefined {
  const file = require.main?.filename ?? process.argv[1];
  return file ? resolve(file) : undefined;
}

/** The package folder and version of the api copy whose main file is `main`. */
function copyAt(main: string): ApiCopy {
  for (let dir = dirname(main); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { name, version } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
    if (name === '@opentelemetry/api') return { version: version ?? 'unknown', dir };
  }
  return { version: 'unknown', dir: dirname(main) };
}

/** The fix, in one sentence: one copy, the version the SDK was registered through. */
function fix(ours: ApiCopy): string {
  return (
    `keep one copy: add "overrides": { "@opentelemetry/api": "${ours.version}" } to the app's package.json and run npm install ` +
    `(or run: npm install @opentelemetry/api@${ours.version})`
  );
}

/**
 * Warns, in one line naming both copies and the fix, when the app's own @opentelemetry/api
 * (resolved from its entry file) does not see the provider otel-init registered. Silent when the
 * app resolves the same copy, or a copy that shares the global (same minor version line).
 */
export function checkApiCopies(handle: TracingHandle, entry: string | undefined = entryFile()): void {
  if (!handle.enabled || entry === undefined) return;
  let appMain: string;
  try {
    appMain = createRequire(entry).resolve('@opentelemetry/api');
  } catch {
    return; // the app has no api of its own: nothing of it can miss the provider
  }
  const ourMain = require.resolve('@opentelemetry/api');
  if (appMain === ourMain) return;
  // A second copy; the app loads it anyway as soon as it traces anything.
  const appApi = createRequire(entry)('@opentelemetry/api') as typeof Api;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ourApi = require('@opentelemetry/api') as typeof Api;
  const seen = appApi.trace.getTracerProvider();
  const delegate = (seen as { getDelegate?: () => unknown }).getDelegate?.();
  if (seen === ourApi.trace.getTracerProvider() || delegate === handle.provider) return;
  const app = copyAt(appMain);
  const ours = copyAt(ourMain);
  log.warn(
    `the app's @opentelemetry/api ${app.version} (${app.dir}) does not see the tracer provider, registered through @opentelemetry/api ${ours.version} (${ours.dir}): ` +
      `spans made through the app's copy, and by instrumentations that use it, are not recorded; ${fix(ours)}`,
  );
}
