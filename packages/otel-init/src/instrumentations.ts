import { log } from '@forkhooks/core';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';

/**
 * Whether a package was loaded already. Builtins (http, https, ...) are left out: their exports
 * object is a singleton patched in place on the next require, so an early require still sees the
 * patch (OpenTelemetry's own pre-load check leaves them out for the same reason).
 */
function loaded(name: string): boolean {
  const marker = `/node_modules/${name}/`;
  return Object.keys(require.cache).some((file) => file.includes(marker));
}

/** The modules an instrumentation patches, where it says. */
function modulesOf(instrumentation: Instrumentation): string[] {
  const withDefinitions = instrumentation as Instrumentation & { getModuleDefinitions?: () => Array<{ name: string }> };
  return withDefinitions.getModuleDefinitions?.().map((d) => d.name) ?? [];
}

/**
 * Enables instrumentations against the global API. Patching happens as modules are required, so
 * this must run before the app requires them: at import time, in every process. Warns, once per
 * module, about those already loaded (their earlier importers keep the unpatched module).
 */
export function enableInstrumentations(instrumentations: Instrumentation[], where: string): () => void {
  const missed = instrumentations.flatMap((i) => modulesOf(i).filter(loaded).map((m) => `${m} (${i.instrumentationName})`));
  if (missed.length > 0) {
    log.warn(
      `${where}: ${missed.join(', ')} already loaded before instrumentation was enabled: code that required it earlier is not traced; ` +
        "import '@forkhooks/otel-init/register' first in the app's entry file (or pass instrumentations to it, not to a late initTracing call)",
    );
  }
  return registerInstrumentations({ instrumentations });
}
