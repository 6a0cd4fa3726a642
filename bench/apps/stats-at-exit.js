// Each traced bench worker leaves `{ pid, spansEnded }` in $BENCH_STATS_DIR when it exits. 'exit'
// listeners are synchronous, and this one is the last thing the process does.
'use strict';
const cluster = require('node:cluster');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

function writeStatsAtExit(spansEnded) {
  const dir = process.env.BENCH_STATS_DIR;
  if (!dir || !cluster.isWorker) return;
  process.on('exit', () => {
    writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify({ pid: process.pid, spansEnded: spansEnded() ?? 0 }));
  });
}

module.exports = { writeStatsAtExit };
