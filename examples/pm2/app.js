// What PM2 runs in each instance. No adapter: startWorker sees pm_id / NODE_APP_INSTANCE and takes
// the slot from NODE_APP_INSTANCE, stops on SIGINT or PM2's 'shutdown' message, and sends 'ready'
// once the server listens (wait_ready). Tracing is imported first, in the app itself: preloading it
// with node -r is unreliable under PM2 cluster mode (Unitech/pm2#3227).
'use strict';
require('@forkhooks/otel-init/register');
const { startWorker } = require('@forkhooks/core');
const { serveFibonacci } = require('@forkhooks/example-fibonacci');

startWorker((ctx) => serveFibonacci(ctx));
