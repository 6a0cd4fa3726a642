// One bench app (bench/apps/*.js) running as a runCluster primary with its workers, seen from the
// harness: which workers are up (from the primary's IPC reports), graceful restarts of one worker,
// and the stop of the whole cluster with SIGTERM to the primary.
'use strict';
const { join } = require('node:path');
const { APPS } = require('./app-dir');
const { freePort } = require('./free-port');
const { startNode, track, stopPid, waitGone, isAlive } = require('./processes');

class BenchCluster {
  /**
   * Starts `apps/<app>.js` with `workers` workers on a free port of 127.0.0.1; resolves once every
   * worker is ready. `env` is the whole environment of the primary (workers inherit it). `appsDir`:
   * where the apps are (default bench/apps; bench/lib/app-dir.js copies them elsewhere).
   */
  static async start(app, { workers, env, execArgv = [], timeoutMs = 30_000, appsDir = APPS }) {
    // The port is free when picked, but something else on the machine may take it before the
    // workers listen (tests run in parallel): then the cluster fails, and we try another port.
    for (let attempt = 1; ; attempt++) {
      const cluster = new BenchCluster(app, workers, await freePort(), env, execArgv, appsDir);
      try {
        await cluster.#waitFor((m) => m.bench === 'ready' && cluster.slots.size === workers, timeoutMs, `${workers} ready workers`);
        return cluster;
      } catch (error) {
        await cluster.stop().catch(() => undefined);
        if (attempt >= 3 || !/already in use/.test(cluster.proc.stderr())) throw error;
      }
    }
  }

  /** slot -> { pid, generation } of the live worker. */
  slots = new Map();
  /** Every worker pid seen, for the final gone-check. */
  pids = new Set();
  /** Every message from the primary, in order. */
  messages = [];
  #waiters = new Set();

  constructor(app, workers, port, env, execArgv, appsDir = APPS) {
    this.app = app;
    this.port = port;
    this.proc = startNode(`${app} primary`, join(appsDir, `${app}.js`), [], {
      ipc: true,
      execArgv,
      env: { ...env, PORT: String(port), WORKERS: String(workers) },
    });
    this.proc.child.on('message', (m) => this.#onMessage(m));
    this.proc.exited.then(() => this.#wake({ bench: 'primary-exit' }));
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  #onMessage(m) {
    if (!m || typeof m.bench !== 'string') return;
    this.messages.push(m);
    if (m.bench === 'ready') {
      this.slots.set(m.workerIndex, { pid: m.pid, generation: m.generation });
      this.pids.add(m.pid);
      track(m.pid, `${this.app} worker ${m.workerIndex}.${m.generation}`);
    } else if (m.bench === 'exit' && this.slots.get(m.workerIndex)?.pid === m.pid) {
      this.slots.delete(m.workerIndex);
    }
    this.#wake(m);
  }

  #wake(m) {
    for (const waiter of this.#waiters) waiter(m);
  }

  /** Resolves with the first message (from now on) for which `match` is true. */
  #waitFor(match, timeoutMs, what) {
    return new Promise((resolve, reject) => {
      const waiter = (m) => {
        if (m.bench === 'primary-exit') return done(() => reject(new Error(`${this.app}: the primary exited while waiting for ${what}\n${this.proc.stderr()}`)));
        if (match(m)) done(() => resolve(m));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`${this.app}: no ${what} within ${timeoutMs} ms\n${this.proc.stderr()}`))), timeoutMs);
      const done = (settle) => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        settle();
      };
      this.#waiters.add(waiter);
    });
  }

  /**
   * A graceful restart of the worker in `slot`: the primary SIGTERMs it (the worker runs its atexit
   * hooks and exits 0) and runCluster forks its replacement. Resolves with { termToExitMs, spawnMs }:
   * SIGTERM to exit of the old worker, fork to ready of the new one (both timed in the primary).
   */
  async restart(slot, timeoutMs = 30_000) {
    const old = this.slots.get(slot);
    if (!old) throw new Error(`${this.app}: no live worker in slot ${slot}`);
    const exited = this.#waitFor((m) => (m.bench === 'exit' || m.bench === 'term-failed') && m.pid === old.pid, timeoutMs, `exit of worker pid ${old.pid}`);
    const ready = this.#waitFor((m) => m.bench === 'ready' && m.workerIndex === slot && m.pid !== old.pid, timeoutMs, `a new worker in slot ${slot}`);
    this.proc.child.send({ bench: 'term', pid: old.pid });
    const exit = await exited;
    if (exit.bench === 'term-failed') throw new Error(`${this.app}: could not stop worker pid ${old.pid}: ${exit.error ?? 'not live'}`);
    const next = await ready;
    return { termToExitMs: exit.termToExitMs, spawnMs: next.spawnMs, exitCode: exit.code };
  }

  /**
   * SIGTERM to the primary, as systemd or Kubernetes would: it stops every worker gracefully, then
   * exits. Resolves with the time from the signal to the primary's exit, in ms; SIGKILLs (by pid)
   * after `timeoutMs` and then throws.
   */
  async stop(timeoutMs = 20_000) {
    const pids = [...this.pids];
    if (!isAlive(this.proc.pid)) {
      await this.proc.exited;
      return null;
    }
    const started = performance.now();
    process.kill(this.proc.pid, 'SIGTERM');
    let timer;
    const outcome = await Promise.race([this.proc.exited, new Promise((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)))]);
    clearTimeout(timer);
    if (outcome === null) {
      await stopPid(this.proc.pid, 'SIGKILL', 0);
      for (const pid of pids) await stopPid(pid, 'SIGKILL', 0);
      throw new Error(`${this.app}: the primary did not exit within ${timeoutMs} ms of SIGTERM; killed\n${this.proc.stderr()}`);
    }
    const left = await waitGone(pids, 5_000);
    if (left.length > 0) throw new Error(`${this.app}: workers ${left.join(', ')} outlived their primary`);
    return outcome.at - started;
  }

  /** Each live worker's memory as it reports it (process.memoryUsage() and V8 heap space sizes, bytes). */
  async memory(timeoutMs = 5_000) {
    const pids = new Set(this.workerPids());
    const got = new Map();
    const all = this.#waitFor((m) => m.bench === 'mem' && pids.has(m.pid) && got.set(m.pid, m).size === pids.size, timeoutMs, 'memory reports');
    this.proc.child.send({ bench: 'mem' });
    await all;
    return [...got.values()];
  }

  /** The pids of the live workers. */
  workerPids() {
    return [...this.slots.values()].map((w) => w.pid);
  }
}

module.exports = { BenchCluster };
