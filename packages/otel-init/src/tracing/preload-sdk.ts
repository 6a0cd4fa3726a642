import { EnvVars } from '@forkhooks/core';
import { startEnv } from '@forkhooks/core/manager';

// Once an instrumentation is enabled, require-in-the-middle sees every require() and resolves each
// new module once more (twice for a file inside a package) before Node loads it. The trace SDK that
// postfork loads (sdk-trace, resources, core: about 80 modules) paid that too: loading sdk-trace took
// about half again as long under the hook (median 23.5 against 15.8 ms on the 2-core dev machine). In
// a worker a forkhooks manager started, postfork loads it anyway, so `register` loads it first,
// before it enables the instrumentations. A primary or an unmanaged process (which may never run
// postfork) is left as it was: it loads nothing more at import. The metrics SDK is not loaded here:
// it loads after start-up (metrics/deferred-pipeline.ts).

/**
 * In a managed worker (FORKHOOKS_RUNTIME set by its manager) with the SDK on, loads the trace SDK now,
 * before the instrumentations' require hook is installed.
 * Never throws: a missing or broken SDK is postfork's to report, as before.
 */
export function preloadSdk(env: NodeJS.ProcessEnv = startEnv()): void {
  if (!env[EnvVars.RUNTIME] || env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('./sdk');
  } catch {
    // postfork requires it again and fails there, naming what is missing
  }
}
