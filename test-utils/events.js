// For fixture scripts (plain JS, run as real processes): append one JSON line per event to
// $EVENTS_FILE, synchronously, so nothing is lost however the process ends.
'use strict';
const { appendFileSync } = require('node:fs');
const { threadId } = require('node:worker_threads');

/** Records `event` with the pid and thread it happened in. */
function record(event, fields = {}) {
  const file = process.env.EVENTS_FILE;
  if (!file) throw new Error('EVENTS_FILE is not set: the test must give the fixture a file to write events to');
  appendFileSync(file, JSON.stringify({ event, pid: process.pid, threadId, ...fields }) + '\n');
}

/** In a runCluster primary: records the handle's events, and prints ALL READY once every slot was ready. */
function recordCluster(cluster) {
  record('primary', {});
  cluster.on('worker-exit', (exit) => record('worker-exit', exit));
  cluster.on('respawn', (r) => record('respawn', { workerIndex: r.workerIndex, generation: r.generation, delayMs: r.delayMs }));
  cluster.on('giving-up', (error) => record('giving-up', { message: error.message, workerIndex: error.workerIndex }));
  cluster.ready.then(
    () => process.stdout.write('ALL READY\n'),
    (error) => record('ready-rejected', { message: error.message }),
  );
}

module.exports = { record, recordCluster };
