// Every process the bench starts, tracked by pid: stopped by pid and checked gone, never by name.
'use strict';
const { fork, spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');

/** pid -> what it is, for every process started (and every cluster worker reported) in this run. */
const tracked = new Map();

/** True while `pid` exists and is not a zombie waiting to be reaped. */
function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error.code === 'EPERM';
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ..."; Z is a zombie: dead, not reaped yet.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc: kill(0) said it exists
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until every pid is gone, up to `timeoutMs`; returns those still alive. */
async function waitGone(pids, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let alive = [...pids].filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(20);
    alive = alive.filter(isAlive);
  }
  return alive;
}

/** Records a pid the bench did not spawn itself (a cluster worker), so the final check covers it. */
function track(pid, what) {
  if (!tracked.has(pid)) tracked.set(pid, what);
}

/** Keeps the last `max` characters of a stream, for error messages. */
function tail(stream, max = 8_000) {
  let text = '';
  stream?.on('data', (chunk) => {
    text = (text + chunk.toString()).slice(-max);
  });
  return () => text;
}

/**
 * Starts `node script args` (with an IPC channel when `ipc`; `node`: another binary than this one), tracked by pid. Returns the child, its
 * output tails, `exited` (resolves with { code, signal, at } where `at` is performance.now()).
 */
function startNode(what, script, args = [], { env, ipc = false, execArgv = [], node = process.execPath } = {}) {
  const options = { env, stdio: ['ignore', 'pipe', 'pipe', ...(ipc ? ['ipc'] : [])] };
  const child = ipc ? fork(script, args, { ...options, execArgv, execPath: node }) : spawn(node, [...execArgv, script, ...args], options);
  if (child.pid === undefined) throw new Error(`could not start ${what} (${script})`);
  track(child.pid, what);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })));
  return { child, pid: child.pid, what, stdout: tail(child.stdout), stderr: tail(child.stderr), exited };
}

/** Resolves with the first match of `pattern` in the child's stdout; rejects on exit or after `timeoutMs`. */
function waitForLine(proc, pattern, timeoutMs) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) finish(() => resolve(match));
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`${proc.what}: no ${pattern} within ${timeoutMs} ms\n${proc.stderr()}`))), timeoutMs);
    const onExit = () => finish(() => reject(new Error(`${proc.what} exited before printing ${pattern}\n${proc.stderr()}`)));
    function finish(settle) {
      clearTimeout(timer);
      proc.child.stdout.off('data', onData);
      proc.child.off('exit', onExit);
      settle();
    }
    proc.child.stdout.on('data', onData);
    proc.child.once('exit', onExit);
  });
}

/**
 * Stops `pid` with `signal`, waits up to `graceMs`, then SIGKILLs it (by pid) and waits again.
 * Returns true when it is gone.
 */
async function stopPid(pid, signal = 'SIGTERM', graceMs = 5_000) {
  if (!isAlive(pid)) return true;
  try {
    process.kill(pid, signal);
  } catch {
    // gone meanwhile
  }
  if ((await waitGone([pid], graceMs)).length === 0) return true;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
  return (await waitGone([pid], 2_000)).length === 0;
}

/**
 * The end of every run, normal or not: stops (by pid) whatever is still alive among the processes
 * started or reported, checks every one is gone, and returns the ones that had been left running.
 */
async function reapAll() {
  const left = [...tracked.keys()].filter(isAlive);
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone meanwhile
    }
  }
  const stubborn = await waitGone(left, 3_000);
  for (const pid of stubborn) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  const still = await waitGone(stubborn, 2_000);
  if (still.length > 0) throw new Error(`processes still alive after SIGKILL: ${still.map((p) => `${p} (${tracked.get(p)})`).join(', ')}`);
  return left.map((pid) => ({ pid, what: tracked.get(pid) }));
}

/** Every pid this run started or was told about (cluster workers included). */
function trackedPids() {
  return [...tracked.keys()];
}

/** Resident set size of `pid` in MiB (VmRSS from /proc), or null when unknown. */
function rssMiB(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) `pid` has used so far, from /proc/<pid>/stat (0 when unknown). */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, fields 14 and 15 of stat, in clock ticks (100 per second on Linux)
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

module.exports = { isAlive, waitGone, track, startNode, waitForLine, stopPid, reapAll, trackedPids, rssMiB, cpuSeconds, sleep };
