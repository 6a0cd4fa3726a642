// Two worker threads, each serving the fibonacci service on its own port (PORT, PORT+1):
// threads cannot share a listening socket. Each thread has its own isolate, so its own
// registry and its own OpenTelemetry provider (its own service.instance.id).
'use strict';
const { join } = require('node:path');
const { runDemo } = require('@forkhooks/example-fibonacci');
const { spawnThread } = require('@forkhooks/runtimes');

const THREADS = 2;

runDemo({
  name: 'worker_threads',
  async start(env) {
    const threads = await Promise.all(Array.from({ length: THREADS }, (_, workerIndex) => spawnThread(join(__dirname, "thread.js"), { workerIndex, env })));
    await Promise.all(threads.map((t) => t.ready));
    return { stop: () => Promise.all(threads.map((t) => t.stop())) };
  },
}).catch((error) => {
  process.stderr.write(`error: ${error.message}\n`);
  process.exit(1);
});
