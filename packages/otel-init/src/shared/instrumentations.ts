import { isBuiltin } from 'node:module';
import { log } from '@forkhooks/core';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import { firstTime } from './once';

/** How to enable an instrumentation in time: said by every late-load warning. */
export const ENABLE_EARLY_FIX =
  "enable it before the app's imports: OTEL_NODE_ENABLED_INSTRUMENTATIONS=<names> with @forkhooks/otel-init/register (needs @opentelemetry/auto-instrumentations-node), " +
  "or enableInstrumentations([...]) from '@forkhooks/otel-init' in a tracing file the app imports first (see the otel-init README)";

/** A module an instrumentation patches, as OpenTelemetry's InstrumentationBase describes it. */
interface ModuleDefinition {
  name: string;
  /** Set by InstrumentationBase once it patched the module. */
  moduleExports?: unknown;
}

/** Every instrumentation enabled in this process, and the modules already reported late. */
const ENABLED = Symbol.for('forkhooks.otel-init.instrumentations');
const state = globalThis as typeof globalThis & { [ENABLED]?: { instrumentations: Instrumentation[]; reported: Set<string> } };
function enabledState(): { instrumentations: Instrumentation[]; reported: Set<string> } {
  return (state[ENABLED] ??= { instrumentations: [], reported: new Set() });
}

/**
 * Whether a package was loaded already: required, or imported from ESM when it is CommonJS (Node
 * puts those in require.cache too). Builtins (http, https, ...) are left out: their exports object
 * is a singleton patched in place on the next require, so an early require still sees the patch
 * (OpenTelemetry's own pre-load check leaves them out for the same reason).
 */
export function loaded(name: string): boolean {
  if (isBuiltin(name)) return false;
  const marker = `/node_modules/${name}/`;
  return Object.keys(require.cache).some((file) => file.includes(marker));
}

/**
 * The modules an instrumentation patches. InstrumentationBase keeps its live definitions in
 * `_modules` (both SDK lines), where it records what it patched; getModuleDefinitions() builds new
 * ones, good for the names only.
 */
export function modulesOf(instrumentation: Instrumentation): { definitions: ModuleDefinition[]; live: boolean } {
  const base = instrumentation as Instrumentation & { _modules?: ModuleDefinition[]; getModuleDefinitions?: () => ModuleDefinition[] };
  if (Array.isArray(base._modules)) return { definitions: base._modules, live: true };
  return { definitions: base.getModuleDefinitions?.() ?? [], live: false };
}

/** The instrumentations enabled in this process so far (by register, initTracing or enableInstrumentations). */
export function enabledInstrumentations(): readonly Instrumentation[] {
  return enabledState().instrumentations;
}

/** Marks `key` (module and instrumentation) as reported; false if it was already. */
export function reportOnce(key: string): boolean {
  return firstTime(enabledState().reported, key);
}

/**
 * Enables OpenTelemetry instrumentations against the global API, in this process. Instrumentations
 * patch modules as they are loaded, so call it before the app loads them: in a file the app's
 * entry imports first (`import './tracing'`), in every process. The provider registered later, in
 * postfork, receives their spans. Modules loaded already are named in one warning: code that
 * loaded them earlier is not traced. Returns a function that disables them again.
 *
 * ```ts
 * // tracing.ts, imported first by the app's entry file
 * import '@forkhooks/otel-init/register';
 * import { enableInstrumentations } from '@forkhooks/otel-init';
 * import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
 * enableInstrumentations([new PgInstrumentation()]);
 * ```
 */
export function enableInstrumentations(instrumentations: Instrumentation[], where = 'enableInstrumentations'): () => void {
  const missed = instrumentations.flatMap((i) =>
    modulesOf(i)
      .definitions.filter((m) => loaded(m.name))
      .map((m) => {
        reportOnce(`${m.name} ${i.instrumentationName}`);
        return `${m.name} (${i.instrumentationName})`;
      }),
  );
  if (missed.length > 0) {
    log.warn(`${where}: ${[...new Set(missed)].join(', ')} already loaded before instrumentation was enabled: code that loaded it earlier is not traced; ${ENABLE_EARLY_FIX}`);
  }
  enabledState().instrumentations.push(...instrumentations);
  return registerInstrumentations({ instrumentations });
}
