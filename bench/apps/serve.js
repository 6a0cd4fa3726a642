// Shared by every bench app: the fibonacci service of examples/fibonacci (its built handler, not a
// copy) on @forkhooks/runtimes' runCluster, plus what the bench harness needs to see from the primary.
//
// Only `dist/server` of the example is required, not its index: the index re-exports the demo
// helpers, which load @forkhooks/otel-init and @forkhooks/receiver, and that would inflate the
// untraced baseline's start-up and memory.
//
// The primary talks to the harness over the IPC channel the harness opened (child_process.fork):
//   primary -> harness  { bench: 'ready', workerIndex, generation, pid, spawnMs }   spawnMs: fork (after prefork) to worker-ready
//                       { bench: 'exit', workerIndex, generation, pid, code, signal, termToExitMs }
//                       { bench: 'mem', pid, rss, heapTotal, heapUsed, external, arrayBuffers, spaces }   relayed from each worker
//                       { bench: 'term-failed', pid, error? }   no live worker with that pid, or the signal failed
//   harness -> primary  { bench: 'term', pid }   SIGTERM that worker (a graceful restart: runCluster respawns it)
//                       { bench: 'mem' }         ask every worker for its memory
'use strict';
const cluster = require('node:cluster');
const { closeOnStop, registry } = require('@forkhooks/core');
const { runCluster } = require('@forkhooks/runtimes');
const { listen } = require('@forkhooks/example-fibonacci/dist/server');

/** Runs the service on $WORKERS workers sharing 127.0.0.1:$PORT; the primary reports to the harness. */
function serve() {
  const port = Number(process.env.PORT);
  if (!Number.isInteger(port) || port <= 0) throw new Error('bench app: PORT must be set by the harness');
  const forkedAt = new Map();
  const termAt = new Map();
  if (cluster.isPrimary) {
    // Last prefork hook: what follows it is cluster.fork().
    registry.add('prefork', (ctx) => void forkedAt.set(ctx.workerIndex, performance.now()), { name: 'bench.fork-mark', order: 1e9 });
  }
  const handle = runCluster({
    workers: Number(process.env.WORKERS || 2),
    // Graceful restarts are clean exits: runCluster replaces the worker after a backoff that doubles
    // on every exit; keep it short so a spawn series does not wait seconds between spawns.
    restart: { initialDelayMs: 10, maxDelayMs: 50 },
    // The reload section (bench/lib/reload.js) reloads on SIGHUP.
    ...(process.env.BENCH_RELOAD_SIGNAL && { reloadSignal: process.env.BENCH_RELOAD_SIGNAL }),
    worker: async (ctx) => {
      const server = await listen(port, '127.0.0.1');
      closeOnStop(server); // in-flight requests finish before the flush
    },
  });
  if (!handle.isPrimary) {
    // Memory of this worker, on the harness's request (relayed by the primary): RSS and V8's heap.
    process.on('message', (message) => {
      if (message?.bench !== 'mem') return;
      const spaces = Object.fromEntries(require('node:v8').getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
      process.send({ bench: 'mem', pid: process.pid, ...process.memoryUsage(), spaces });
    });
    return handle;
  }
  const send = (message) => {
    if (process.connected) process.send(message, undefined, undefined, () => undefined);
  };
  handle.on('worker-ready', (w) => {
    const at = forkedAt.get(w.workerIndex);
    send({ bench: 'ready', ...w, spawnMs: at === undefined ? null : performance.now() - at });
  });
  handle.on('worker-exit', (e) => {
    const at = termAt.get(e.pid);
    termAt.delete(e.pid);
    send({ bench: 'exit', workerIndex: e.workerIndex, generation: e.generation, pid: e.pid, code: e.code, signal: e.signal, termToExitMs: at === undefined ? null : performance.now() - at });
  });
  cluster.on('message', (worker, message) => {
    if (message?.bench === 'mem') send(message);
  });
  process.on('message', (message) => {
    if (message?.bench === 'mem') {
      for (const w of Object.values(cluster.workers ?? {})) if (w.isConnected()) w.send({ bench: 'mem' });
      return;
    }
    if (!message || message.bench !== 'term') return;
    const live = handle.workers().find((w) => w.pid === message.pid);
    if (!live) return send({ bench: 'term-failed', pid: message.pid });
    termAt.set(message.pid, performance.now());
    try {
      process.kill(message.pid, 'SIGTERM');
    } catch (error) {
      send({ bench: 'term-failed', pid: message.pid, error: String(error) });
    }
  });
  return handle;
}

module.exports = { serve };
