// throng runs the cluster; forkhooks plugs in with no adapter: runPrefork in throng's master before
// each fork, startWorker in each worker. throng's worker(id) gets cluster.worker.id, which grows on
// every fork: it is not a slot. So the master hands each new worker its slot (and generation) over
// IPC, after prefork, and the worker waits for it before startWorker.
'use strict';
require('@forkhooks/otel-init/register');
const cluster = require('node:cluster');
const throng = require('throng');
const { buildContext, createShutdown, prefork, registry, runPrefork, startWorker } = require('@forkhooks/core');
const { finishDemo, liveTable, prepareDemo, serveFibonacci } = require('@forkhooks/example-fibonacci');

const WORKERS = 2;

prefork(function announce(ctx) {
  process.stdout.write(`prefork: slot ${ctx.workerIndex}, generation ${ctx.generation}\n`);
});

async function master() {
  const demo = await prepareDemo();
  Object.assign(process.env, demo.env); // forked workers inherit the endpoint and stats folder
  const table = liveTable(demo.receiver);

  const slotOf = new Map(); // cluster worker id -> slot
  const freed = [];
  const generations = [];
  cluster.on('disconnect', (worker) => {
    if (slotOf.has(worker.id)) freed.push(slotOf.get(worker.id));
    slotOf.delete(worker.id);
  });
  cluster.on('fork', async (worker) => {
    const workerIndex = freed.length > 0 ? freed.shift() : slotOf.size;
    generations[workerIndex] = generations[workerIndex] === undefined ? 0 : generations[workerIndex] + 1;
    const slot = { workerIndex, generation: generations[workerIndex], workerId: String(worker.process.pid) };
    slotOf.set(worker.id, workerIndex);
    await runPrefork({ runtime: 'cluster', ...slot });
    worker.send({ forkhooksSlot: slot });
  });

  // throng stops the workers on SIGTERM/SIGINT (it is throng's stop, we only watch it); once the
  // last one is gone, the master runs its own atexit (scope 'primary': the master's teardown), which prints what arrived.
  registry.add('atexit', () => finishDemo(demo, table), { name: 'demo.final-count', scope: 'primary' });
  const context = buildContext({ runtime: 'cluster', workerIndex: 0, generation: 0, workerId: `${process.pid}:master`, primaryPid: process.pid });
  const shutdown = createShutdown({ registry, context, timeoutMs: 5000 });
  // Our own count of live workers: cluster.workers keeps a worker until both its 'exit' and its
  // 'disconnect' were seen, in either order.
  const alive = new Set();
  cluster.on('fork', (worker) => alive.add(worker.id));
  let signalled = false;
  const stopIfDone = () => {
    if (signalled && alive.size === 0) void shutdown.stop('signal', undefined, 'throng stopped every worker');
  };
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => ((signalled = true), stopIfDone()));
  cluster.on('exit', (worker) => {
    alive.delete(worker.id);
    stopIfDone();
  });
  process.stdout.write(`throng: try curl 'http://localhost:${process.env.PORT || 3000}/fibonacci?n=10'; stop with Ctrl-C\n`);
}

function worker() {
  return new Promise((resolve) => {
    process.on('message', function onSlot(message) {
      if (!message || !message.forkhooksSlot) return;
      process.off('message', onSlot);
      resolve(startWorker((ctx) => serveFibonacci(ctx), { runtime: 'cluster', ...message.forkhooksSlot }));
    });
  });
}

void throng({ count: WORKERS, grace: 8000, master, worker });
