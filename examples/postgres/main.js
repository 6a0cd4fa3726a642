// `npm start`: 2 cluster workers serving GET /fibonacci?n=N from PostgreSQL (DATABASE_URL), each
// with its own pg Pool; the request's http span and its query's span go to the embedded receiver
// (or OTEL_EXPORTER_OTLP_ENDPOINT). Ctrl-C: every worker closes its server, ends its pool, flushes.
'use strict';
require('./tracing');
const { createServer } = require('node:http');
const { closeOnStop, registry } = require('@forkhooks/core');
const { runCluster } = require('@forkhooks/runtimes');
const { finishDemo, leaveStatsAtExit, liveTable, parseN, portFromEnv, prepareDemo } = require('@forkhooks/example-fibonacci');
const { fibonacciInSql } = require('./db');

function fail(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://localhost');
  const reply = (status, body) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-served-by': String(process.pid) });
    res.end(`${body}\n`);
  };
  if (url.pathname === '/healthz') return reply(200, 'ok');
  if (url.pathname !== '/fibonacci') return reply(404, 'try GET /fibonacci?n=10');
  const parsed = parseN(url.searchParams.get('n'));
  if ('error' in parsed) return reply(400, parsed.error);
  try {
    reply(200, `F(${parsed.n}) is: (${await fibonacciInSql(parsed.n)})`);
  } catch (error) {
    reply(503, `the database did not answer: ${error.message}`);
  }
}

async function worker(ctx) {
  leaveStatsAtExit();
  const server = createServer((req, res) => void handle(req, res));
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, resolve));
  closeOnStop(server); // registered after the pool's atexit: closes first (LIFO), then the pool ends
  process.stdout.write(`worker ${ctx.workerIndex} (pid ${ctx.pid}, generation ${ctx.generation}) serving http://localhost:${port}/fibonacci?n=10\n`);
}

async function primary() {
  const demo = await prepareDemo();
  Object.assign(process.env, demo.env); // forked workers inherit the endpoint and the stats folder
  process.stdout.write(`try:      curl 'http://localhost:${port}/fibonacci?n=10'\nstop:     Ctrl-C (every worker ends its pool and flushes its spans first)\n`);
  const table = liveTable(demo.receiver);
  registry.add('atexit', () => finishDemo(demo, table), { name: 'demo.final-count', order: 1_000 });
}

if (!process.env.DATABASE_URL) fail('DATABASE_URL is not set: point it at a PostgreSQL, e.g. DATABASE_URL=postgres://postgres@localhost:5432/postgres npm start');
let port;
try {
  port = portFromEnv();
} catch (error) {
  fail(error.message);
}
runCluster({ workers: Number(process.env.WORKERS || 2), primary, worker });
