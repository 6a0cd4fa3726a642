#!/usr/bin/env node
// Spawn-to-ready time per runtime: from the moment the manager starts a spawn (prefork) to the
// worker's 'ready' (postfork ran, main resolved), median of several runs. Uses the built packages
// (`npx tsc -b packages/runtimes` first). Usage: node packages/runtimes/scripts/spawn-to-ready.js [runs]
// The same file is also each sample's worker (argv/workerData tell which); PM2's daemon lives in a
// temporary PM2_HOME and is killed at the end.
'use strict';
const cluster = require('node:cluster');
const { execFile, spawn } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { availableParallelism, tmpdir } = require('node:os');
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');
const { promisify } = require('node:util');
const { isMainThread } = require('node:worker_threads');
const { registry, startWorker } = require('@forkhooks/core');
const { runCluster, spawnChild, spawnThread } = require('@forkhooks/runtimes');

const role = process.argv[2];
const quiet = { ...process.env, FORKHOOKS_LOG: 'error' };

if (!isMainThread || role === '--worker') {
  // A child process, a thread, a PM2 instance, or the baseline: start and say ready.
  void startWorker(() => undefined).then(() => {
    if (role === '--worker' && process.env.BASELINE === '1') process.stdout.write('READY\n');
  });
} else if (role === '--cluster-sample') {
  clusterSample();
} else {
  main(Number(process.argv[2] || 7)).then(
    // pm2's API client keeps a reconnect timer after its daemon is killed: end explicitly.
    () => process.exit(0),
    (error) => {
      process.stderr.write(`${error.stack}\n`);
      process.exit(1);
    },
  );
}

/** One cluster sample, in its own primary (and, as the same script, its worker): prints the ms to ready. */
function clusterSample() {
  let started;
  if (cluster.isPrimary) registry.add('prefork', () => void (started = performance.now()), { name: 'clock' });
  const handle = runCluster({ workers: 1, worker: () => undefined, shutdownTimeoutMs: 2000 });
  if (!handle.isPrimary) return;
  handle.once('worker-ready', () => {
    process.stdout.write(`${(performance.now() - started).toFixed(2)}\n`);
    void handle.stop();
  });
}

async function main(runs) {
  const rows = [];
  rows.push(['node (no manager; baseline: spawn to READY on stdout)', await sample(runs, baseline)]);
  rows.push(['cluster (runCluster)', await sample(runs, clusterRun)]);
  rows.push(['child_process (spawnChild)', await sample(runs, childRun)]);
  rows.push(['worker_threads (spawnThread)', await sample(runs, threadRun)]);
  rows.push(['pm2 cluster mode (pm2.start, wait_ready)', await pm2Samples(runs)]);
  print(runs, rows);
}

async function sample(runs, once) {
  await once(); // warm-up (disk cache), not counted
  const times = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  return times;
}

async function baseline() {
  const started = performance.now();
  await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [__filename, '--worker'], { env: { ...quiet, BASELINE: '1' } });
    child.stdout.once('data', () => {
      resolve();
      child.kill('SIGTERM');
    });
    child.once('exit', (code) => (code === 0 || code === null ? undefined : reject(new Error(`baseline exited ${code}`))));
  });
  return performance.now() - started;
}

async function clusterRun() {
  const { stdout } = await promisify(execFile)(process.execPath, [__filename, '--cluster-sample'], { env: quiet, timeout: 20_000 });
  return Number(stdout.trim());
}

async function childRun() {
  const started = performance.now();
  const child = await spawnChild(__filename, { args: ['--worker'], env: quiet, shutdownTimeoutMs: 2000 });
  await child.ready;
  const elapsed = performance.now() - started;
  await child.stop();
  return elapsed;
}

async function threadRun() {
  const started = performance.now();
  const thread = await spawnThread(__filename, { env: quiet, shutdownTimeoutMs: 2000 });
  await thread.ready;
  const elapsed = performance.now() - started;
  await thread.stop();
  return elapsed;
}

/** PM2 through its programmatic API, its daemon in a temporary PM2_HOME (started once, not counted). */
async function pm2Samples(runs) {
  const home = mkdtempSync(join(tmpdir(), 'forkhooks-pm2-bench-'));
  process.env.PM2_HOME = home; // read by pm2 when it is required
  const pm2 = require('pm2');
  const call = (method, ...args) => new Promise((resolve, reject) => pm2[method](...args, (err, out) => (err ? reject(err) : resolve(out))));
  try {
    await call('connect');
    return await sample(runs, async () => {
      const name = `spawn-to-ready-${process.hrtime.bigint()}`;
      const started = performance.now();
      await call('start', { name, script: __filename, args: ['--worker'], exec_mode: 'cluster', instances: 1, wait_ready: true, listen_timeout: 10_000, autorestart: false, env: quiet });
      const elapsed = performance.now() - started;
      await call('delete', name);
      return elapsed;
    });
  } finally {
    await call('killDaemon').catch(() => undefined);
    pm2.disconnect();
    rmSync(home, { recursive: true, force: true });
  }
}

function print(runs, rows) {
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const width = Math.max(...rows.map(([name]) => name.length));
  const out = [`spawn-to-ready, ms (median of ${runs} after 1 warm-up; node ${process.version}, ${availableParallelism()} CPUs)`];
  out.push(`${'runtime'.padEnd(width)}  ${'median'.padStart(7)}  ${'min'.padStart(7)}  ${'max'.padStart(7)}`);
  for (const [name, times] of rows) {
    const cells = [median(times), Math.min(...times), Math.max(...times)].map((v) => v.toFixed(1).padStart(7));
    out.push(`${name.padEnd(width)}  ${cells.join('  ')}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
