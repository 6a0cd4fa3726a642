// Never silent: an instrumentation enabled after the app loaded its module patches nothing the app
// holds. enableInstrumentations warns at the time for what require.cache shows; this runs after
// postfork and catches the rest: a module loaded with its instrumentation on, and still unpatched
// (a CommonJS package imported from an ES module without the loader hook, say).
import { log } from '@forkhooks/core';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { ENABLE_EARLY_FIX, enabledInstrumentations, loaded, modulesOf, reportOnce } from '../../shared/instrumentations';

/** Names of the loaded modules `instrumentation` patched under none of its definitions (one per version range). */
function unpatched(instrumentation: Instrumentation): string[] {
  const { definitions, live } = modulesOf(instrumentation);
  if (!live) return []; // what it patched is not known: say nothing rather than guess
  const names = [...new Set(definitions.map((d) => d.name))];
  return names.filter((name) => loaded(name) && definitions.every((d) => d.name !== name || d.moduleExports === undefined));
}

/** One warning naming every module loaded but not patched by its (enabled) instrumentation, not reported before. */
export function checkLateInstrumentations(): void {
  const missed = enabledInstrumentations().flatMap((i) =>
    unpatched(i)
      .filter((name) => reportOnce(`${name} ${i.instrumentationName}`))
      .map((name) => `${name} (${i.instrumentationName})`),
  );
  if (missed.length === 0) return;
  log.warn(
    `${missed.join(', ')} loaded but not patched by its instrumentation (enabled after the module was loaded, or a version it does not support): ` +
      `its calls make no spans; ${ENABLE_EARLY_FIX}`,
  );
}
