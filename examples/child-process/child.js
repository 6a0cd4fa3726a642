// One child process: tracing first, then the service on PORT + its slot.
'use strict';
require('@forkhooks/otel-init/register');
const { startWorker } = require('@forkhooks/core');
const { serveFibonacci } = require('@forkhooks/example-fibonacci');

startWorker((ctx) => serveFibonacci(ctx, { portPerWorker: true }));
