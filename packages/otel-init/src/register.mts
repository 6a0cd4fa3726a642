// node --import @forkhooks/otel-init/register app.mjs — the ESM entry of `register`.
//
// An ESM app's imports are linked before any of its code runs, so the loader hook that lets
// instrumentations patch ES modules must be registered before the app starts: by `--import`. Then
// this does what the CommonJS `register` does, through the same CommonJS module (one registry, one
// set of hooks), and waits until the loader knows every module the instrumentations hook.
import { createRequire } from 'node:module';
import type * as Api from '@opentelemetry/api';
import type * as EsmApiBridge from './tracing/esm-api-bridge.js';
import type * as EsmHook from './tracing/esm-hook.js';

const require = createRequire(import.meta.url);
const { registerEsmHook } = require('./tracing/esm-hook.js') as typeof EsmHook;
const { keepEsmTracerProxy } = require('./tracing/esm-api-bridge.js') as typeof EsmApiBridge;

const acknowledged = registerEsmHook();
// Synchronously, before any await: under `import '@forkhooks/otel-init/register'` inside an app (not
// --import), the app's other imports may run while this module awaits, and the hooks must be in first.
require('./register.js');
// The app's ES modules import the api's ESM build (api >= 1.10 has one): keep its proxy provider,
// so that tracers they take before postfork get the provider postfork registers (tracing/esm-api-bridge.ts).
const esmApi = (await import('@opentelemetry/api')) as typeof Api;
keepEsmTracerProxy(esmApi.trace, (require('@opentelemetry/api') as typeof Api).trace);
await acknowledged();
