// What `register` enables: the ecosystem's variables when @opentelemetry/auto-instrumentations-node
// is installed, http alone otherwise.
import { log } from '@forkhooks/core';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { appRequire } from './app-require';
import { enabledInstrumentations } from '../shared/instrumentations';

const AUTO = '@opentelemetry/auto-instrumentations-node';
const VARIABLES = ['OTEL_NODE_ENABLED_INSTRUMENTATIONS', 'OTEL_NODE_DISABLED_INSTRUMENTATIONS'] as const;
/** Set once the hint was given, so the workers a process starts (which inherit it) do not repeat it. */
const HINTED = 'FORKHOOKS_OTEL_INSTRUMENTATIONS_HINTED';

type AutoInstrumentations = { getNodeAutoInstrumentations(): Instrumentation[] };

/** auto-instrumentations-node as the app resolves it (an optional peer dependency), else as we do; undefined when absent. */
function loadAuto(): AutoInstrumentations | undefined {
  for (const load of [appRequire(), require]) {
    try {
      return load(AUTO) as AutoInstrumentations;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    }
  }
  return undefined;
}

/**
 * With OTEL_NODE_ENABLED_INSTRUMENTATIONS or OTEL_NODE_DISABLED_INSTRUMENTATIONS set, the
 * instrumentations auto-instrumentations-node's own getNodeAutoInstrumentations() picks from them
 * (loaded only then: it loads some 40 packages). Otherwise http alone, with one hint on how to add more.
 * `env` decides whether the variables are set; getNodeAutoInstrumentations() reads process.env itself.
 */
export function defaultInstrumentations(env: NodeJS.ProcessEnv = process.env, load: () => AutoInstrumentations | undefined = loadAuto): Instrumentation[] {
  const set = VARIABLES.filter((name) => env[name]?.trim());
  if (set.length > 0) {
    const auto = load();
    if (auto) return sayUnknown(auto.getNodeAutoInstrumentations(), env);
    log.warn(`${set.join(' and ')} ${set.length > 1 ? 'are' : 'is'} set but ${AUTO} is not installed, so only http is traced; install it: npm install ${AUTO}`);
  } else if (!env[HINTED]) {
    env[HINTED] = '1';
    // Said once the app's own imports ran, and only if none of them enabled more.
    setImmediate(() => {
      if (enabledInstrumentations().length > 1) return;
      log.info(
        '@forkhooks/otel-init/register traces http only; for more, set OTEL_NODE_ENABLED_INSTRUMENTATIONS (e.g. http,express,pg) with ' +
          `${AUTO} installed, or call enableInstrumentations([...]) in a file the app imports first`,
      );
    }).unref();
  }
  return [new HttpInstrumentation()];
}

/**
 * auto-instrumentations-node reports a name it does not know (`expresss`) to diag.error only, which
 * most apps never set: the instrumentation the user asked for is silently missing. Say it, once.
 */
function sayUnknown(instrumentations: Instrumentation[], env: NodeJS.ProcessEnv): Instrumentation[] {
  const raw = env.OTEL_NODE_ENABLED_INSTRUMENTATIONS;
  const disabled = new Set((env.OTEL_NODE_DISABLED_INSTRUMENTATIONS ?? '').split(',').map((n) => n.trim()));
  const made = new Set(instrumentations.map((i) => i.instrumentationName));
  const unknown = (raw ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '' && !disabled.has(n) && !made.has(`@opentelemetry/instrumentation-${n}`));
  if (unknown.length > 0) {
    log.warn(
      `OTEL_NODE_ENABLED_INSTRUMENTATIONS=${JSON.stringify(raw)}: ${unknown.map((n) => JSON.stringify(n)).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not an instrumentation of ${AUTO}; ` +
        'ignoring it (names are the suffixes of its @opentelemetry/instrumentation-* packages: http, express, pg, ...)',
    );
  }
  return instrumentations;
}
