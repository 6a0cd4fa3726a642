// OpenTelemetry's ESM loader hook, registered the way Node wants it: `module.register` from a
// module run by `node --import` (no ExperimentalWarning, unlike `--experimental-loader`).
//
// The hook is @opentelemetry/instrumentation/hook.mjs (import-in-the-middle underneath). It is told,
// over a message channel, which modules the instrumentations hook, and wraps only those: wrapping
// every module of the app costs start-up time and breaks some packages. The channel must come from
// the import-in-the-middle copy that @opentelemetry/instrumentation uses, since each copy keeps its
// own list of hooks.
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const REGISTERED = Symbol.for('forkhooks.otel-init.esm-hook');
/** 'preload': registered by --import, before the app's imports; 'late': from inside the app's module graph, after them. */
type Registration = 'preload' | 'late';
const ACKNOWLEDGED = Symbol.for('forkhooks.otel-init.esm-hook-acknowledged');
const flag = globalThis as typeof globalThis & { [REGISTERED]?: Registration; [ACKNOWLEDGED]?: () => Promise<void> };

/**
 * Whether node runs a module given by --import (command line or NODE_OPTIONS), which starts before
 * the app's imports. A TypeScript runner's own loader does not count: tsx starts every app with
 * `--import …/tsx/dist/loader.mjs`, and an app under it that imports register from its entry is late.
 */
function hasImportFlag(execArgv: readonly string[], nodeOptions: string): boolean {
  const args = [...execArgv, ...nodeOptions.split(/\s+/)];
  return args.some((arg, i) => {
    const value = arg === '--import' ? args[i + 1] : arg.startsWith('--import=') ? arg.slice('--import='.length) : undefined;
    return value !== undefined && !TS_RUNNER_LOADER.test(value);
  });
}

/** The --import of TypeScript runners (tsx, ts-node, @swc-node/register), which load the app, not tracing. */
const TS_RUNNER_LOADER = /(^|[\\/])(tsx([\\/]dist[\\/]loader\.mjs|[\\/]esm)?|ts-node[\\/]esm(\.mjs)?|@swc-node[\\/]register[\\/]esm(-register)?(\.mjs)?)$|^(tsx|ts-node\/esm|@swc-node\/register\/esm-register)$/;

interface AddHookChannel {
  registerOptions: { data?: unknown; transferList?: unknown[] };
  waitForAllMessagesAcknowledged(): Promise<void>;
}

/**
 * Registers the ESM hook once per thread; resolves when the loader has acknowledged every module
 * hooked so far (await it after enabling instrumentations, before the app's imports run).
 */
export function registerEsmHook(): () => Promise<void> {
  if (flag[REGISTERED]) return esmHookReady;
  if (typeof register !== 'function') {
    throw new Error(`@forkhooks/otel-init/register as an ES module needs module.register (Node >= 20.6); this is Node ${process.version}: upgrade Node`);
  }
  const fromInstrumentation = createRequire(require.resolve('@opentelemetry/instrumentation'));
  const iitm = fromInstrumentation('import-in-the-middle') as { createAddHookMessageChannel(): AddHookChannel };
  const channel = iitm.createAddHookMessageChannel();
  register(pathToFileURL(fromInstrumentation.resolve('@opentelemetry/instrumentation/hook.mjs')).href, channel.registerOptions);
  flag[REGISTERED] = hasImportFlag(process.execArgv, process.env.NODE_OPTIONS ?? '') ? 'preload' : 'late';
  flag[ACKNOWLEDGED] = () => channel.waitForAllMessagesAcknowledged();
  return esmHookReady;
}

/**
 * Resolves once OpenTelemetry's ESM loader hook knows every module the instrumentations enabled so
 * far hook (it learns them over a message channel, asynchronously); at once when the hook was not
 * registered by `@forkhooks/otel-init/register`. Await it at the end of a tracing file run by
 * `--import` that calls `enableInstrumentations`, so the app's imports are not loaded before.
 */
export function esmHookReady(): Promise<void> {
  return flag[ACKNOWLEDGED]?.() ?? Promise.resolve();
}

/**
 * How the ESM hook was registered in this thread: 'preload' (by `--import`, in time), 'late' (from
 * an `import` inside the app: its imports were loaded already), or undefined (not at all).
 * OpenTelemetry's or import-in-the-middle's hook given to --experimental-loader/--loader counts as 'preload'.
 */
export function esmHookRegistration(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): Registration | undefined {
  if (flag[REGISTERED]) return flag[REGISTERED];
  return /(instrumentation|import-in-the-middle)\/hook\.mjs/.test(`${execArgv.join(' ')} ${nodeOptions}`) ? 'preload' : undefined;
}
