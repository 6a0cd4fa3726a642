// import '@forkhooks/otel-init/register' — first thing in the app's entry file, in every process.
// (An ESM app: node --import @forkhooks/otel-init/register app.mjs, see register.mts.)
//
// Instrumentations patch modules as they are required, so they are enabled here, at import,
// before the app requires http or a framework; they talk to the global API, whose proxy provider
// forwards to the provider that postfork registers later (tracers taken before then keep working).
// The provider, processor and exporter are built in postfork, in each worker; atexit flushes them.
import { defaultInstrumentations } from './tracing/default-instrumentations';
import { registerTracingHooks } from './tracing/hooks';
import { enableInstrumentations } from './shared/instrumentations';
import { registerMetricsHooks } from './metrics/hooks';
import { preloadSdk } from './tracing/preload-sdk';

// Before the instrumentations' require hook exists (a worker's SDK loads faster then: tracing/preload-sdk.ts).
preloadSdk();
enableInstrumentations(defaultInstrumentations(), '@forkhooks/otel-init/register');
registerTracingHooks();
// Metrics as OTEL_METRICS_EXPORTER says (unset: otlp, as NodeSDK), after tracing: they share its resource.
registerMetricsHooks();
