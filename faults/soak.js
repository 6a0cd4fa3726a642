#!/usr/bin/env node
// Soak test (not in CI): the traced app of the fault suite (faults/fixtures/traced-app.js) as a
// runCluster of 2 workers under steady HTTP load for N minutes, one worker restarted gracefully
// (SIGTERM to it, the primary respawns its slot) every 30 s, slots taken in turn. Reports the RSS of
// every process over time and, per worker, spans ended (its stats() at exit) against spans received.
// Fails (exit 1) if any gracefully stopped worker lost a span, or if memory grows without bound.
//
//   npm run build && node faults/soak.js --minutes 10 [--restart-every 30] [--concurrency 4] [--sample-every 5]
//
// Everything listens on 127.0.0.1; every process it starts is stopped by pid and checked gone.
'use strict';
const { spawn } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync, existsSync } = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const APP = join(__dirname, 'fixtures', 'traced-app.js');
const MiB = 2 ** 20;

function parseArgs(argv) {
  const args = { minutes: 10, restartEvery: 30, concurrency: 4, sampleEvery: 5 };
  const names = { '--minutes': 'minutes', '--restart-every': 'restartEvery', '--concurrency': 'concurrency', '--sample-every': 'sampleEvery' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.split('=');
    const key = names[flag];
    const raw = inline ?? argv[++i];
    const value = Number(raw);
    if (!key || !Number.isFinite(value) || value < 0 || (key !== 'restartEvery' && value === 0)) {
      process.stderr.write(`soak: bad argument ${arg} ${inline === undefined ? (raw ?? '') : ''}\nusage: node faults/soak.js --minutes N [--restart-every S (0: never)] [--concurrency C] [--sample-every S]\n`);
      process.exit(2);
    }
    args[key] = value;
  }
  return args;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function rssBytes(pid) {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function get(url, timeoutMs = 5_000) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
  });
}

function readEvents(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

/** Least-squares slope of y over x (per unit of x). */
function slope(points) {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  for (const pkg of ['core', 'runtimes', 'otel-init', 'receiver']) {
    if (!existsSync(join(ROOT, 'packages', pkg, 'dist', 'index.js'))) {
      process.stderr.write(`soak: packages/${pkg} is not built: run npm run build first\n`);
      process.exit(2);
    }
  }
  const { startReceiver } = require('@forkhooks/receiver');
  const receiver = await startReceiver({ port: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'forkhooks-soak-'));
  const events = join(dir, 'events.jsonl');
  const port = await freePort();
  const say = (line) => process.stdout.write(`${line}\n`);

  const primary = spawn(process.execPath, [APP], {
    env: {
      ...process.env,
      WORKERS: '2',
      PORT: String(port),
      EVENTS_FILE: events,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: 'soak',
      OTEL_BSP_SCHEDULE_DELAY: '1000',
      FORKHOOKS_SHUTDOWN_TIMEOUT_MS: '5000',
      FORKHOOKS_LOG: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  primary.stdout.on('data', (d) => (stdout += d));
  primary.stderr.on('data', (d) => (stderr += d));
  const primaryExit = new Promise((resolve) => primary.on('exit', (code, signal) => resolve({ code, signal })));
  const allPids = new Set([primary.pid]);

  const cleanup = async () => {
    for (const pid of allPids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  };

  const readyBy = Date.now() + 30_000;
  while (!stdout.includes('ALL READY')) {
    if (Date.now() > readyBy || primary.exitCode !== null) {
      process.stderr.write(`soak: the app did not start\n${stdout}\n${stderr}\n`);
      await cleanup();
      process.exit(1);
    }
    await sleep(50);
  }

  /** The live worker of each slot: the latest 'listening' event of the slot. */
  const current = () => {
    const bySlot = new Map();
    for (const e of readEvents(events)) if (e.event === 'listening') bySlot.set(e.workerIndex, e);
    for (const e of bySlot.values()) allPids.add(e.pid);
    return bySlot;
  };

  const started = Date.now();
  const endAt = started + args.minutes * 60_000;
  const stats = { requests: 0, failed: 0 };
  let running = true;
  const loops = Array.from({ length: args.concurrency }, async () => {
    while (running) {
      const status = await get(`http://127.0.0.1:${port}/`);
      stats.requests += 1;
      if (status !== 200) stats.failed += 1;
      await sleep(20);
    }
  });

  const samples = []; // { t, pid, slot, generation, rss } and the primary as slot 'primary'
  const restarts = [];
  let nextSample = started;
  let nextRestart = args.restartEvery > 0 ? started + args.restartEvery * 1_000 : Infinity;
  let restartSlot = 0;
  say(`soak: 2 workers on http://127.0.0.1:${port}, ${args.minutes} min, a graceful restart every ${args.restartEvery || '∞'} s, ${args.concurrency} client loops`);
  say('  t(s)  slot0 pid/gen rss(MiB)       slot1 pid/gen rss(MiB)       primary rss  requests(failed)  spans received');
  while (Date.now() < endAt) {
    const now = Date.now();
    if (now >= nextSample) {
      const t = Math.round((now - started) / 1000);
      const live = current();
      const cells = [0, 1].map((slot) => {
        const w = live.get(slot);
        const rss = w && rssBytes(w.pid);
        if (w && rss) samples.push({ t, pid: w.pid, slot, generation: w.generation, rss });
        return w ? `${String(w.pid).padStart(7)}/g${w.generation} ${rss ? (rss / MiB).toFixed(1).padStart(6) : '   -  '}` : '        -          ';
      });
      const prss = rssBytes(primary.pid);
      if (prss) samples.push({ t, pid: primary.pid, slot: 'primary', generation: 0, rss: prss });
      say(`${String(t).padStart(6)}  ${cells[0]}        ${cells[1]}        ${prss ? (prss / MiB).toFixed(1).padStart(6) : '   -  '}  ${String(stats.requests).padStart(8)}(${stats.failed})  ${receiver.count()}`);
      nextSample += args.sampleEvery * 1_000;
    }
    if (now >= nextRestart) {
      const victim = current().get(restartSlot);
      if (victim) {
        restarts.push({ t: Math.round((now - started) / 1000), slot: restartSlot, pid: victim.pid, generation: victim.generation });
        process.kill(victim.pid, 'SIGTERM'); // graceful: its atexit flushes, the primary respawns the slot
      }
      restartSlot = 1 - restartSlot;
      nextRestart += args.restartEvery * 1_000;
    }
    await sleep(Math.max(10, Math.min(nextSample, nextRestart, endAt) - Date.now()));
  }

  running = false;
  await Promise.all(loops);
  current();
  primary.kill('SIGTERM');
  let stopTimer;
  const exit = await Promise.race([primaryExit, new Promise((resolve) => (stopTimer = setTimeout(() => resolve({ code: 'timeout', signal: null }), 20_000)))]);
  clearTimeout(stopTimer);
  const leftAlive = [];
  const goneBy = Date.now() + 5_000;
  for (const pid of allPids) {
    while (isAlive(pid) && Date.now() < goneBy) await sleep(50);
    if (isAlive(pid)) leftAlive.push(pid);
  }

  // Spans: every worker (each generation) against what the receiver got from its instance.
  const all = readEvents(events);
  const listening = all.filter((e) => e.event === 'listening');
  const workers = all
    .filter((e) => e.event === 'exit-stats')
    .map((e) => {
      const l = listening.find((x) => x.pid === e.pid);
      const received = receiver.byInstance().find((i) => i.instanceId === e.instanceId)?.spans ?? 0;
      return { pid: e.pid, slot: l?.workerIndex, generation: l?.generation, ...e.stats, received, lost: e.stats.spansEnded - received };
    });
  const workerPids = new Set(listening.map((e) => e.pid));
  const withoutStats = [...workerPids].filter((pid) => !workers.some((w) => w.pid === pid));

  say('\nper worker (slot, generation): spans ended / exported / dropped / pending -> received, lost');
  for (const w of workers) {
    say(`  slot ${w.slot} g${w.generation} pid ${w.pid}: ${w.spansEnded} / ${w.spansExported} / ${w.spansDropped} / ${w.spansPending} -> ${w.received}, lost ${w.lost}`);
  }
  const ended = workers.reduce((s, w) => s + w.spansEnded, 0);
  const lost = workers.reduce((s, w) => s + w.lost, 0);
  say(`total: ${ended} spans ended, ${receiver.count()} received, ${lost} lost; ${stats.requests} requests, ${stats.failed} failed; ${restarts.length} graceful restarts`);

  // Memory: per process, RSS from 10 s after its first sample to its last, and the trend (MiB/min).
  say('\nRSS per process (MiB): first sample after 10 s of life -> last sample, max, trend');
  const failures = [];
  const byPid = new Map();
  for (const s of samples) byPid.set(s.pid, [...(byPid.get(s.pid) ?? []), s]);
  for (const [pid, series] of byPid) {
    const born = series[0].t;
    const settled = series.filter((s) => s.t >= born + 10);
    if (settled.length < 2) continue;
    const first = settled[0].rss;
    const last = settled[settled.length - 1].rss;
    const max = Math.max(...settled.map((s) => s.rss));
    const perMin = slope(settled.map((s) => ({ x: s.t / 60, y: s.rss / MiB })));
    const label = series[0].slot === 'primary' ? 'primary' : `slot ${series[0].slot} g${series[0].generation}`;
    say(`  ${label.padEnd(10)} pid ${pid}: ${(first / MiB).toFixed(1)} -> ${(last / MiB).toFixed(1)} (max ${(max / MiB).toFixed(1)}, ${perMin >= 0 ? '+' : ''}${perMin.toFixed(2)} MiB/min over ${settled[settled.length - 1].t - settled[0].t} s)`);
    // Unbounded growth: well past where the process settled, not a GC sawtooth.
    if (max > first * 1.5 + 32 * MiB) failures.push(`${label} pid ${pid}: RSS grew from ${(first / MiB).toFixed(1)} to ${(max / MiB).toFixed(1)} MiB`);
  }

  if (exit.code !== 0) failures.push(`the primary exited with ${exit.code ?? exit.signal} after SIGTERM`);
  if (leftAlive.length > 0) failures.push(`processes still alive after the stop: ${leftAlive.join(', ')}`);
  if (lost !== 0) failures.push(`${lost} spans lost on graceful stops (every worker here was stopped gracefully)`);
  if (withoutStats.length > 0) failures.push(`workers that left no stats at exit (not a graceful stop?): ${withoutStats.join(', ')}`);
  // Restarts at every multiple of restartEvery strictly before the end.
  const planned = args.restartEvery > 0 ? Math.ceil((args.minutes * 60) / args.restartEvery) - 1 : 0;
  if (restarts.length < planned) failures.push(`${restarts.length} restarts instead of ${planned}`);
  await cleanup();
  if (failures.length > 0) {
    say(`\nSOAK FAILED:\n  ${failures.join('\n  ')}`);
    if (stderr.trim()) say(`\nstderr of the app:\n${stderr}`);
    process.exit(1);
  }
  say('\nSOAK PASSED');
  if (stderr.trim()) say(`(the app said, at FORKHOOKS_LOG=warn:)\n${stderr}`);
}

main().catch((error) => {
  process.stderr.write(`soak: ${error.stack || error}\n`);
  process.exit(1);
});
