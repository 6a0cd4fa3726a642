// node --import @forkhooks/otel-init/register app.mjs — the ESM entry of `register`.
//
// An ESM app's imports are linked before any of its code runs, so the loader hook that lets
// instrumentations patch ES modules must be registered before the app starts: by `--import`. Then
// this does what the CommonJS `register` does, through the same CommonJS module (one registry, one
// set of hooks), and waits until the loader knows every module the instrumentations hook.
import { createRequire } from 'node:module';
import type * as EsmHook from './esm-hook.js';

const require = createRequire(import.meta.url);
const { registerEsmHook } = require('./esm-hook.js') as typeof EsmHook;

const acknowledged = registerEsmHook();
require('./register.js');
await acknowledged();
