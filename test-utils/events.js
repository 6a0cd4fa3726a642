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

module.exports = { record };
