// What a worker loads and spends before it is ready, per variant, process by process:
//
//   node bench/startup-modules.js [--rounds N] [--light] [--variants bare,register,traced,traced+metrics]
//
// Each round starts each variant's bench app (one runCluster worker) with lib/load-timer.js preloaded,
// reads the worker's figures at ready (time and CPU from its process start, modules, RSS, V8 heap) and
// 2 s later (idle: the deferred exporter is loaded by then), then SIGTERMs the primary. Variants:
// bare (apps/untraced.js), register (apps/forkhooks.js with OTEL_SDK_DISABLED=true: what `register`
// adds at import), traced (apps/forkhooks.js), traced+metrics (with OTEL_METRICS_EXPORTER=otlp, the
// default outside the bench). Without --light, also the modules and ms by package of the last round
// (the timer's own overhead is in those times; --light gives the times without it).
// Complements bench/lib/startup.js (spawn-to-ready in the primary), which has no per-module figures.
'use strict';
const { spawn } = require('node:child_process');
const { mkdtempSync, readdirSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { freePort } = require('./lib/free-port');
const { median } = require('./lib/stats');

const VARIANTS = {
  bare: ['untraced', {}],
  register: ['forkhooks', { OTEL_SDK_DISABLED: 'true' }],
  traced: ['forkhooks', {}],
  'traced+metrics': ['forkhooks', { OTEL_METRICS_EXPORTER: 'otlp' }],
};
const TIMER = join(__dirname, 'lib', 'load-timer.js');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function parseArgs(argv) {
  const args = { rounds: 5, light: false, variants: Object.keys(VARIANTS) };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--rounds') args.rounds = Number(argv[++i]);
    else if (argv[i] === '--light') args.light = true;
    else if (argv[i] === '--variants') args.variants = argv[++i].split(',');
    else throw new Error(`startup-modules: unknown argument ${argv[i]}; use --rounds N, --light, --variants a,b`);
  }
  const unknown = args.variants.filter((v) => !VARIANTS[v]);
  if (unknown.length > 0 || !(args.rounds >= 1)) throw new Error(`startup-modules: --variants takes ${Object.keys(VARIANTS).join(',')}; --rounds a positive number`);
  return args;
}

/** The bench's environment (bench/run.js baseEnv): nothing inherited from OTEL_*, metrics off; no collector needed before the first export. */
function env(extra) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(OTEL_|FORKHOOKS_|BENCH_|LOAD_TIMER_)/.test(k) && k !== 'NODE_OPTIONS'));
  return { ...base, FORKHOOKS_LOG: 'warn', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none', ...extra };
}

async function once(variant, light) {
  const [app, extra] = VARIANTS[variant];
  const out = mkdtempSync(join(tmpdir(), 'startup-modules-'));
  const child = spawn(process.execPath, [join(__dirname, 'apps', `${app}.js`)], {
    env: env({ ...extra, PORT: String(await freePort()), WORKERS: '1', LOAD_TIMER_OUT: out, LOAD_TIMER_LIGHT: light ? '1' : '0', NODE_OPTIONS: `-r ${TIMER}` }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const read = (tag) => {
    const file = readdirSync(out).find((f) => f.endsWith(`-${tag}.json`));
    try {
      return file && JSON.parse(readFileSync(join(out, file), 'utf8'));
    } catch {
      return undefined; // being written
    }
  };
  try {
    for (const deadline = Date.now() + 30_000; Date.now() < deadline && child.exitCode === null; await sleep(50)) {
      const idle = read('idle');
      if (idle) return { ...read('ready'), idleRssMiB: idle.rssMiB, idleModules: idle.modules };
    }
    throw new Error(`startup-modules: ${variant} gave no figures within 30 s\n${stderr}`);
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(out, { recursive: true, force: true });
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const results = Object.fromEntries(args.variants.map((v) => [v, []]));
  for (let round = 0; round < args.rounds; round++) {
    const order = round % 2 ? [...args.variants].reverse() : args.variants;
    for (const variant of order) results[variant].push(await once(variant, args.light));
  }
  const fmt = (xs) => median(xs).toFixed(1);
  console.log(`median of ${args.rounds} rounds${args.light ? '' : ' (with the per-load timer: times include its overhead)'}`);
  console.log('variant          ready ms  cpu ms  modules  RSS MiB  heap used  old space | idle: RSS  modules');
  for (const [variant, rs] of Object.entries(results)) {
    const col = (key, width) => fmt(rs.map((r) => r[key])).padStart(width);
    console.log(
      `${variant.padEnd(16)}${col('ms', 9)}${col('cpuMs', 8)}${col('modules', 9)}${col('rssMiB', 9)}${col('heapUsedMiB', 11)}${fmt(rs.map((r) => r.spacesMiB.old_space)).padStart(11)} |${col('idleRssMiB', 10)}${col('idleModules', 9)}`,
    );
  }
  if (args.light) return;
  for (const [variant, rs] of Object.entries(results)) {
    console.log(`\n${variant}: modules and ms (self, compile included) by package, last round`);
    for (const { pkg, modules, ms } of rs[rs.length - 1].byPackage.sort((a, b) => b.ms - a.ms)) console.log(`  ${pkg.padEnd(48)}${String(modules).padStart(5)}${ms.toFixed(1).padStart(8)}`);
  }
}

main().catch((error) => {
  console.error(error.stack ?? error);
  process.exitCode = 1;
});
