#!/usr/bin/env node
// Keep-alive load through runCluster's own actions (issue 22): 50 kept-alive connections (an
// http.Agent with keepAlive, as browsers, proxies and load balancers use; or autocannon -c 50, whose
// connections are kept alive too) against faults/fixtures/manager-app.js while the primary
//   reload    runs handle.reload() twice (2 workers),
//   scale     scales 3 -> 2,
//   recycle   recycles workers on maxRequests (2 workers, until 2 workers were recycled).
// Counts every failed request (by error code), and per worker the spans it ended against those the
// receiver got. The goal is 0 failed and 0 lost in every run.
//
//   npm run build && node bench/keepalive.js [--runs 3] [--node path/to/node] [--scenarios reload,scale,recycle]
//                                            [--clients agent,autocannon] [--pause-ms 2] [--json out.json]
//
// Everything listens on 127.0.0.1; every process it starts is stopped by pid (SIGTERM, then SIGKILL
// after 30 s) and the run fails if one is left.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } = require('node:fs');
const http = require('node:http');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const autocannon = require('autocannon');
const { startReceiver } = require('@forkhooks/receiver');
const { freePort } = require('./lib/free-port');
const { keepAliveLoad } = require('./lib/keepalive-load');

const APP = join(__dirname, '..', 'faults', 'fixtures', 'manager-app.js');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const CONNECTIONS = 50;
const REQUEST_TIMEOUT_MS = 5_000;

function parseArgs(argv) {
  const args = { runs: 3, node: process.execPath, scenarios: ['reload', 'scale', 'recycle'], clients: ['agent'], pauseMs: 2, json: undefined };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=');
    const value = inline ?? argv[++i];
    if (flag === '--runs') args.runs = Number(value);
    else if (flag === '--node') args.node = value;
    else if (flag === '--scenarios') args.scenarios = value.split(',');
    else if (flag === '--clients') args.clients = value.split(',');
    else if (flag === '--pause-ms') args.pauseMs = Number(value);
    else if (flag === '--json') args.json = value;
    else {
      process.stderr.write(`keepalive: unknown argument ${argv[i]}\n`);
      process.exit(2);
    }
  }
  const bad = args.scenarios.find((s) => !SCENARIOS[s]) ?? args.clients.find((c) => c !== 'agent' && c !== 'autocannon');
  if (bad || !(args.runs >= 1) || !(args.pauseMs >= 0)) {
    process.stderr.write(`keepalive: bad argument (${bad ?? 'runs/pause-ms'}); scenarios: ${Object.keys(SCENARIOS).join(', ')}; clients: agent, autocannon\n`);
    process.exit(2);
  }
  return args;
}

/** 50 loops over one keep-alive Agent (50 sockets), each request bounded; stop() resolves with the counts. */
function agentLoad(url, pauseMs) {
  return keepAliveLoad(url, { connections: CONNECTIONS, pauseMs, timeoutMs: REQUEST_TIMEOUT_MS });
}

/** autocannon -c 50 (kept-alive connections, no pipelining), until stopped (at most 120 s). */
function autocannonLoad(url) {
  let instance;
  const done = new Promise((resolve, reject) => {
    instance = autocannon({ url, connections: CONNECTIONS, pipelining: 1, duration: 120, timeout: REQUEST_TIMEOUT_MS / 1000 }, (error, result) => (error ? reject(error) : resolve(result)));
  });
  return {
    async stop() {
      instance.stop();
      const r = await done;
      const byError = {};
      if (r.errors) byError.errors = r.errors;
      if (r.timeouts) byError.timeouts = r.timeouts;
      if (r.non2xx) byError.non2xx = r.non2xx;
      // autocannon counts a timeout as an error as well.
      return { ok: r['2xx'] ?? 0, failed: (r.errors ?? 0) + (r.non2xx ?? 0), byError };
    },
  };
}

function readEvents(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

async function control(port, path) {
  return new Promise((resolve, reject) => {
    const req = http.get(`http://127.0.0.1:${port}${path}`, { agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(JSON.parse(body)));
    });
    req.setTimeout(60_000, () => req.destroy(new Error(`control ${path} timed out`)));
    req.on('error', reject);
  });
}

async function until(check, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`keepalive: no ${what} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

const SCENARIOS = {
  reload: {
    workers: 2,
    env: {},
    async act({ controlPort }) {
      await sleep(1_000);
      const ms = [];
      for (let i = 0; i < 2; i++) {
        const reply = await control(controlPort, '/reload');
        if (reply.error) throw new Error(`reload failed: ${reply.error.message}`);
        ms.push(reply.ms);
        await sleep(500);
      }
      await sleep(500);
      return { actionMs: ms };
    },
  },
  scale: {
    workers: 3,
    env: {},
    async act({ controlPort }) {
      await sleep(1_000);
      const reply = await control(controlPort, '/scale?n=2');
      if (reply.error) throw new Error(`scale failed: ${reply.error.message}`);
      await sleep(1_000);
      return { actionMs: [reply.ms] };
    },
  },
  recycle: {
    workers: 2,
    env: { MAX_REQUESTS: '3000', MAX_REQUESTS_JITTER: '300' },
    async act({ events }) {
      await until(() => readEvents(events).filter((e) => e.event === 'worker-exit').length >= 2, '2 recycled workers exiting', 90_000);
      await sleep(500);
      return {};
    },
  },
};

async function runOnce(args, scenario, client, receiver) {
  const s = SCENARIOS[scenario];
  const dir = mkdtempSync(join(tmpdir(), 'forkhooks-keepalive-'));
  const events = join(dir, 'events.jsonl');
  const [port, controlPort] = [await freePort(), await freePort()];
  const proc = spawn(args.node, [APP], {
    env: {
      ...process.env,
      ...s.env,
      WORKERS: String(s.workers),
      PORT: String(port),
      CONTROL_PORT: String(controlPort),
      EVENTS_FILE: events,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_SERVICE_NAME: `keepalive-${scenario}`,
      FORKHOOKS_LOG: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  let load;
  try {
    await until(() => stdout.includes('ALL READY'), 'ALL READY', 30_000);
    const url = `http://127.0.0.1:${port}/`;
    load = client === 'agent' ? agentLoad(url, args.pauseMs) : autocannonLoad(url);
    const started = Date.now();
    const { actionMs } = await s.act({ controlPort, events });
    const counts = await load.stop();
    load = undefined;
    const seconds = (Date.now() - started) / 1000;
    proc.kill('SIGTERM');
    const exit = await Promise.race([exited, sleep(30_000).then(() => 'timeout')]);
    if (exit === 'timeout') throw new Error('the primary did not exit within 30 s of SIGTERM');
    await sleep(300);
    const all = readEvents(events);
    const byInstance = receiver.byInstance();
    const workers = all
      .filter((e) => e.event === 'exit-stats')
      .map((e) => ({ pid: e.pid, code: e.code, ended: e.stats.spansEnded, received: byInstance.find((i) => i.instanceId === e.instanceId)?.spans ?? 0 }));
    const lost = workers.reduce((a, w) => a + w.ended - w.received, 0);
    const forced = all.filter((e) => e.event === 'worker-exit' && e.forced).length;
    return { scenario, client, actionMs, ok: counts.ok, failed: counts.failed, byError: counts.byError, seconds: Number(seconds.toFixed(1)), workers: workers.length, spansLost: lost, forced, primaryExit: exit, warnings: stderr.split('\n').filter((l) => /warn|error/.test(l)).slice(0, 5) };
  } finally {
    if (load) await load.stop().catch(() => undefined);
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
    for (const e of readEvents(events).filter((ev) => ev.event === 'listening')) {
      try {
        process.kill(e.pid, 'SIGKILL');
        process.stderr.write(`keepalive: worker pid ${e.pid} was left behind; killed it\n`);
      } catch {
        // gone, as it should be
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const version = execFileSync(args.node, ['--version'], { encoding: 'utf8' }).trim();
  const receiver = await startReceiver({ port: 0, host: '127.0.0.1', grpcPort: 0 });
  const results = [];
  try {
    for (const client of args.clients) {
      for (const scenario of args.scenarios) {
        for (let run = 1; run <= args.runs; run++) {
          receiver.reset();
          const r = { node: version, run, ...(await runOnce(args, scenario, client, receiver)) };
          results.push(r);
          process.stdout.write(
            `${version} ${client} ${scenario} run ${run}: ${r.failed} failed of ${r.ok + r.failed} in ${r.seconds} s ${JSON.stringify(r.byError)};${r.actionMs ? ` ${scenario} took ${r.actionMs.join(', ')} ms;` : ''} spans lost ${r.spansLost} over ${r.workers} workers; forced ${r.forced}; primary ${JSON.stringify(r.primaryExit)}\n`,
          );
        }
      }
    }
  } finally {
    await receiver.close();
  }
  if (args.json) writeFileSync(args.json, JSON.stringify({ at: new Date().toISOString(), node: version, pauseMs: args.pauseMs, connections: CONNECTIONS, results }, null, 2) + '\n');
  const bad = results.filter((r) => r.failed > 0 || r.spansLost !== 0);
  process.exitCode = bad.length > 0 ? 1 : 0;
}

main().catch((error) => {
  process.stderr.write(`keepalive: ${error.stack ?? error}\n`);
  process.exit(1);
});
