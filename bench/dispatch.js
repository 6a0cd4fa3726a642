// Hook dispatch cost: registry.run with 100 no-op hooks, against a baseline taken in the same run
// (a bare loop that awaits the same 100 functions). Prints ns per hook and the ratio.
// Usage: npm run build && node bench/dispatch.js [--rounds N]
'use strict';
const { HookRegistry } = require('@forkhooks/core');

const HOOKS = 100;
const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 2_000;
const ctx = { runtime: 'custom', workerIndex: 0, generation: 0, workerId: 'bench', pid: process.pid, primaryPid: process.pid, threadId: 0 };

const fns = Array.from({ length: HOOKS }, () => () => undefined);
const registry = new HookRegistry();
fns.forEach((fn, i) => registry.add('prefork', fn, { name: `noop-${i}` }));

async function baseline() {
  for (const fn of fns) await Promise.resolve().then(() => fn(ctx));
}
const viaRegistry = () => registry.run('prefork', ctx);

async function nsPerHook(run) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < ROUNDS; i++) await run();
  return Number(process.hrtime.bigint() - started) / (ROUNDS * HOOKS);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

(async () => {
  await nsPerHook(baseline); // warm-up
  await nsPerHook(viaRegistry);
  const base = [];
  const reg = [];
  for (let i = 0; i < 5; i++) {
    // Interleaved, so drift does not favour one side.
    base.push(await nsPerHook(baseline));
    reg.push(await nsPerHook(viaRegistry));
  }
  const b = median(base);
  const r = median(reg);
  const result = { hooks: HOOKS, rounds: ROUNDS, baseline_ns_per_hook: Math.round(b), registry_ns_per_hook: Math.round(r), ratio: +(r / b).toFixed(2) };
  process.stdout.write(`dispatch: ${result.registry_ns_per_hook} ns/hook via registry.run, ${result.baseline_ns_per_hook} ns/hook bare await loop, ratio ${result.ratio}x\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
})();
