import { log } from '@forkhooks/core';
import { TracingConfigError } from './errors';

// OTEL_TRACES_EXPORTER and OTEL_METRICS_EXPORTER, one rule for both signals (the spec's: a
// comma-separated list; `otlp` when unset; `none` for no exporter). The spec says an unknown value
// is ignored with a warning. NodeSDK (sdk-node's utils.ts, getSpanProcessorsFromEnv) warns only
// through diag, which most apps never set, and with nothing known left it exports nothing at all:
// here the warning is one line on stderr, and the default is used instead.

/**
 * The exporters `raw` names, in order, deduplicated: [] for `none` (with other names too: one
 * warning says they are ignored), `fallback` when unset or when nothing known is left.
 * Unknown names are left out, in one warning naming the variable, the value and the allowed names.
 */
export function exporterList<T extends string>(variable: string, raw: string | undefined, known: readonly T[], fallback: T): Exclude<T, 'none'>[] {
  const names = [...new Set((raw ?? '').split(',').map((n) => n.trim().toLowerCase()).filter((n) => n !== ''))];
  if (names.length === 0) return [fallback] as Exclude<T, 'none'>[];
  const unknown = names.filter((n) => !known.includes(n as T));
  const valid = names.filter((n) => known.includes(n as T)) as T[];
  if (valid.includes('none' as T)) {
    const ignored = names.filter((n) => n !== 'none');
    if (ignored.length > 0) log.warn(`${variable}=${JSON.stringify(raw)} has "none" with other exporters: none wins, nothing is exported (ignoring ${ignored.join(', ')}); remove "none" to export`);
    return [];
  }
  const chosen = valid.length > 0 ? valid : [fallback];
  if (unknown.length > 0) {
    log.warn(
      `${variable}=${JSON.stringify(raw)}: ${unknown.map((n) => JSON.stringify(n)).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not one of ${known.join(', ')}; ` +
        `ignoring ${unknown.length === 1 ? 'it' : 'them'} and using ${chosen.join(', ')}${valid.length === 0 ? ' (the default)' : ''}`,
    );
  }
  return chosen as Exclude<T, 'none'>[];
}

/** An exporter list given as an option (typed, so an unknown name is a programmer's error: it throws). */
export function explicitExporters<T extends string>(setting: string, value: T | T[], known: readonly T[]): Exclude<T, 'none'>[] {
  const names: T[] = Array.isArray(value) ? value : [value];
  for (const name of names) {
    if (!known.includes(name)) throw new TracingConfigError(setting, `"${String(name)}" is not one of ${known.join(', ')}`);
  }
  return names.includes('none' as T) ? [] : ([...new Set(names)] as Exclude<T, 'none'>[]);
}
