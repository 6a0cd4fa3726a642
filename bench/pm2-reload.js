#!/usr/bin/env node
// `pm2 reload` of examples/pm2 (cluster mode, 2 instances, its ecosystem.config.js) under 50 kept-alive
// connections: the real PM2 from devDependencies, with a PM2_HOME of its own in a temporary folder
// (your own daemon is left alone), an embedded receiver, two reloads per run. Counts failed requests
// by error code and the time each `pm2 reload` took (issue 22: the pm2 example's README quotes it).
//
//   npm run build && node bench/pm2-reload.js [--runs 3] [--json out.json]
//
// Everything listens on 127.0.0.1; the PM2 daemon is killed (`pm2 kill`) at the end of every run.
'use strict';
const { execFile } = require('node:child_process');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { promisify } = require('node:util');
const { startReceiver } = require('@forkhooks/receiver');
const { freePort } = require('./lib/free-port');
const { keepAliveLoad } = require('./lib/keepalive-load');

const PM2 = require.resolve('pm2/bin/pm2');
const ECOSYSTEM = join(__dirname, '..', 'examples', 'pm2', 'ecosystem.config.js');
const CONNECTIONS = 50;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));


async function runOnce(receiver) {
  const home = mkdtempSync(join(tmpdir(), 'forkhooks-pm2-bench-'));
  const port = await freePort();
  const env = { ...process.env, PM2_HOME: home, PORT: String(port), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, FORKHOOKS_LOG: 'warn' };
  const pm2 = (...args) => promisify(execFile)(process.execPath, [PM2, ...args], { env, timeout: 60_000 });
  let load;
  try {
    await pm2('start', ECOSYSTEM);
    load = keepAliveLoad(`http://127.0.0.1:${port}/fibonacci?n=10`, { connections: CONNECTIONS, pauseMs: 2 });
    await sleep(1_000);
    const reloadMs = [];
    for (let i = 0; i < 2; i++) {
      const t0 = Date.now();
      await pm2('reload', 'fibonacci');
      reloadMs.push(Date.now() - t0);
      await sleep(500);
    }
    await sleep(500);
    const counts = await load.stop();
    load = undefined;
    return { ...counts, reloadMs };
  } finally {
    if (load) await load.stop().catch(() => undefined);
    await pm2('delete', 'fibonacci').catch(() => undefined);
    await pm2('kill').catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  }
}

async function main() {
  const argv = process.argv.slice(2);
  const runs = Number(argv[argv.indexOf('--runs') + 1] || 3) || 3;
  const json = argv.includes('--json') ? argv[argv.indexOf('--json') + 1] : undefined;
  const receiver = await startReceiver({ port: 0, host: '127.0.0.1', grpcPort: 0 });
  const results = [];
  try {
    for (let run = 1; run <= runs; run++) {
      const r = { run, ...(await runOnce(receiver)) };
      results.push(r);
      process.stdout.write(`${process.version} pm2 reload x2 run ${run}: ${r.failed} failed of ${r.ok + r.failed} ${JSON.stringify(r.byError)}; reloads took ${r.reloadMs.join(', ')} ms\n`);
    }
  } finally {
    await receiver.close();
  }
  if (json) writeFileSync(json, JSON.stringify({ at: new Date().toISOString(), node: process.version, connections: CONNECTIONS, ecosystem: 'examples/pm2/ecosystem.config.js', results }, null, 2) + '\n');
}

main().catch((error) => {
  process.stderr.write(`pm2-reload: ${error.stack ?? error}\n`);
  process.exit(1);
});
