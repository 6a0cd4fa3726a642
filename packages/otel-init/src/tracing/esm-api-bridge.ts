import type { TracerProvider } from '@opentelemetry/api';

// @opentelemetry/api 1.10 ships two builds ("exports": import → index.mjs, require → index.cjs). They
// share the registered globals, but each has its own ProxyTracerProvider: a tracer an ES module took
// before postfork (`trace.getTracer()` at import time, through the ESM build) asks the ESM proxy, and
// nobody tells that proxy about the provider otel-init registers through the CommonJS build, so its
// spans are no-ops, silently. register.mjs keeps the ESM proxy here before anything is registered;
// sdk.ts hands it the provider once it is registered.

const KEY = Symbol.for('forkhooks.otel-init.esm-tracer-proxy');
const holder = globalThis as typeof globalThis & { [KEY]?: DelegatingProvider };

interface DelegatingProvider extends TracerProvider {
  setDelegate(delegate: TracerProvider): void;
}

interface TraceApi {
  getTracerProvider(): TracerProvider;
}

/** Keeps the ESM build's proxy provider, when the ESM and CommonJS builds of the api are two module instances. */
export function keepEsmTracerProxy(esmTrace: TraceApi, cjsTrace: TraceApi): void {
  if (esmTrace === cjsTrace) return; // api <= 1.9: one CommonJS build for both
  const proxy = esmTrace.getTracerProvider() as Partial<DelegatingProvider>;
  // A provider is registered already (a second import): the ESM build returns it, nothing to bridge.
  if (typeof proxy.setDelegate === 'function' && proxy !== cjsTrace.getTracerProvider()) holder[KEY] = proxy as DelegatingProvider;
}

/** Gives the kept ESM proxy (if any) the provider registered through the CommonJS build. */
export function delegateEsmTracerProxy(provider: TracerProvider): void {
  holder[KEY]?.setDelegate(provider);
}
