// Preloaded (-r) into every process of a bench app by bench/startup-modules.js. Times each module
// load (Module._load: resolution, compile and run, its own requires excluded) and counts new modules
// by package; at the worker's ready message to its manager (after postfork, main and listen) it
// writes $LOAD_TIMER_OUT/<pid>-ready.json, and 2 s later <pid>-idle.json (RSS once the deferred
// exporter was loaded). With LOAD_TIMER_LIGHT=1 only the ready figures (no per-load timing, so no
// overhead on the times).
'use strict';
const Module = require('node:module');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const v8 = require('node:v8');

const light = process.env.LOAD_TIMER_LIGHT === '1';
const MiB = 2 ** 20;

/** The package a file belongs to: `name`, `name (nested)` for a second copy, `packages/x`, `bench`. */
function packageOf(file) {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(file);
  if (pkg) return pkg[1] + ((file.match(/node_modules\//g) || []).length > 1 ? ' (nested)' : '');
  const ours = /\/(packages|examples)\/([^/]+)\//.exec(file);
  if (ours) return `${ours[1]}/${ours[2]}`;
  return file.includes('/bench/') ? 'bench' : 'other';
}

const selfMs = new Map();
const count = new Map();
const stack = [];
let loaded = 0;
if (!light) {
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    let file;
    try {
      file = Module._resolveFilename(request, parent, isMain);
    } catch {
      file = undefined; // Node throws the same error below
    }
    const isNew = file !== undefined && file.includes('/') && !Module._cache[file];
    const frame = { start: performance.now(), children: 0 };
    stack.push(frame);
    try {
      return load.apply(this, arguments);
    } finally {
      stack.pop();
      if (isNew) {
        const ms = performance.now() - frame.start;
        const pkg = packageOf(file);
        loaded++;
        count.set(pkg, (count.get(pkg) ?? 0) + 1);
        selfMs.set(pkg, (selfMs.get(pkg) ?? 0) + ms - frame.children);
        if (stack.length > 0) stack[stack.length - 1].children += ms;
      }
    }
  };
}

function report(tag) {
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  const out = {
    tag,
    pid: process.pid,
    // From the process's start (performance.timeOrigin).
    ms: performance.now(),
    cpuMs: (cpu.user + cpu.system) / 1000,
    modules: light ? Object.keys(Module._cache).length : loaded,
    rssMiB: memory.rss / MiB,
    heapUsedMiB: memory.heapUsed / MiB,
    spacesMiB: Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size / MiB])),
    byPackage: [...count.keys()].map((pkg) => ({ pkg, modules: count.get(pkg), ms: selfMs.get(pkg) })),
  };
  writeFileSync(join(process.env.LOAD_TIMER_OUT, `${process.pid}-${tag}.json`), JSON.stringify(out));
}

const send = process.send;
if (typeof send === 'function' && process.env.LOAD_TIMER_OUT) {
  let seen = false;
  process.send = function (message, ...rest) {
    if (!seen && message?.forkhooks === 'ready') {
      seen = true;
      setImmediate(() => report('ready'));
      setTimeout(() => report('idle'), 2_000).unref();
    }
    return send.call(this, message, ...rest);
  };
}
