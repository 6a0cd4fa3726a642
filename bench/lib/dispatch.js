// (5) Dispatch: bench/dispatch.js in its own process (nothing else in its heap), its JSON line parsed.
'use strict';
const { join } = require('node:path');
const { startNode } = require('./processes');

async function measureDispatch(ctx) {
  const proc = startNode('dispatch', join(__dirname, '..', 'dispatch.js'), ['--rounds', String(ctx.settings.dispatch.rounds)], { env: ctx.env() });
  let out = '';
  proc.child.stdout.on('data', (d) => (out += d));
  let timer;
  const exit = await Promise.race([proc.exited, new Promise((resolve) => (timer = setTimeout(() => resolve(null), 120_000)))]);
  clearTimeout(timer);
  if (exit === null) {
    process.kill(proc.pid, 'SIGKILL');
    throw new Error('bench/dispatch.js did not finish within 120 s');
  }
  if (exit.code !== 0) throw new Error(`bench/dispatch.js exited ${exit.code}: ${proc.stderr()}`);
  const result = JSON.parse(out.trim().split('\n').pop());
  ctx.say(`  ${out.trim().split('\n')[0]}`);
  return result;
}

module.exports = { measureDispatch };
