// One pg Pool per worker: opened in postfork (a pool made in the primary would be shared by forked
// workers through the same sockets), ended in atexit after the server closed, before the span flush.
'use strict';
const { Pool } = require('pg');
const { atexit, postfork } = require('@forkhooks/core');

/** Connections each worker keeps open (POOL_SIZE, default 2). */
const POOL_SIZE = Number(process.env.POOL_SIZE || 2);
let pool;

postfork(async function openPool(ctx) {
  pool = new Pool({
    connectionString: process.env.DATABASE_URL,
    max: POOL_SIZE,
    idleTimeoutMillis: 0, // keep them: one pool per worker, visible in pg_stat_activity
    application_name: `forkhooks-example-postgres worker=${ctx.workerIndex} pid=${ctx.pid}`,
  });
  // Open every connection now: a wrong DATABASE_URL fails the worker's start, not its first request.
  const clients = await Promise.all(Array.from({ length: POOL_SIZE }, () => pool.connect()));
  clients.forEach((client) => client.release());
});

atexit(async function endPool() {
  await pool?.end();
});

/** The n-th Fibonacci number, computed by PostgreSQL (one traced query). */
async function fibonacciInSql(n) {
  const { rows } = await pool.query(
    'WITH RECURSIVE f(i, a, b) AS (SELECT 0, 0::numeric, 1::numeric UNION ALL SELECT i + 1, b, a + b FROM f WHERE i < $1) SELECT a::text AS value FROM f WHERE i = $1',
    [n],
  );
  return rows[0].value;
}

module.exports = { fibonacciInSql };
