// One worker thread: tracing first (its own provider, built in postfork), then the service.
'use strict';
require('@forkhooks/otel-init/register');
const { startWorker } = require('@forkhooks/core');
const { serveFibonacci } = require('@forkhooks/example-fibonacci');

startWorker((ctx) => serveFibonacci(ctx, { portPerWorker: true }));
