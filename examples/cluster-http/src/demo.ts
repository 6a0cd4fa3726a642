// `npm start`: the traced cluster demo. The primary embeds an OTLP receiver on 127.0.0.1 (unless
// OTEL_EXPORTER_OTLP_ENDPOINT points at a collector), forks the fibonacci workers exporting to it,
// shows spans per worker as they arrive, and on Ctrl-C stops every worker gracefully and prints
// `received N spans from M workers (K lost)`.
import '@forkhooks/otel-init/register';
import { createServer } from 'node:net';
import { registry } from '@forkhooks/core';
import { finishDemo, liveTable, portFromEnv, prepareDemo } from '@forkhooks/example-fibonacci';
import { runFibonacciCluster } from './app';
import { fail } from './fail';

/** Fails early, and clearly, when PORT is taken (before any worker is forked). */
function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === 'EADDRINUSE' ? `port ${port} is already in use: stop what holds it, or run PORT=3001 npm start` : error.message)),
    );
    probe.listen(port, () => probe.close(() => resolve()));
  });
}

async function primary(port: number): Promise<void> {
  await assertPortFree(port);
  const demo = await prepareDemo();
  // Workers are forked after this returns: they inherit the endpoint and the stats folder.
  Object.assign(process.env, demo.env);
  process.stdout.write(`try:      curl 'http://localhost:${port}/fibonacci?n=10'\nstop:     Ctrl-C (every worker flushes its spans first)\n`);
  const table = liveTable(demo.receiver);

  // The primary's atexit runs after every worker has exited: their counts are all in. scope 'primary':
  // this teardown is the primary's own (an atexit hook runs in the workers by default).
  registry.add('atexit', () => finishDemo(demo, table), { name: 'demo.final-count', order: 1_000, scope: 'primary' });
}

try {
  const port = portFromEnv();
  runFibonacciCluster(() => primary(port));
} catch (error) {
  fail(error);
}
