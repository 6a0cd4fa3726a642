'use strict';
// Load over kept-alive connections, as browsers, proxies and load balancers send it: `connections`
// loops over one http.Agent({ keepAlive }), each request bounded; stop() resolves with the counts and
// each failure's error code (bench/keepalive.js and bench/pm2-reload.js measure reloads with it).
const http = require('node:http');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts the load on `url`; `pauseMs` between a loop's requests. */
function keepAliveLoad(url, { connections = 50, pauseMs = 0, timeoutMs = 5_000 } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const counts = { ok: 0, failed: 0, byError: {} };
  let active = true;
  const one = () =>
    new Promise((resolve) => {
      const req = http.get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200 ? undefined : `status ${res.statusCode}`));
        res.on('error', (error) => resolve(error.code ?? error.message));
      });
      req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
      req.on('error', (error) => resolve(error.code ?? error.message));
    });
  const loop = async () => {
    while (active) {
      const error = await one();
      if (error === undefined) counts.ok += 1;
      else {
        counts.failed += 1;
        counts.byError[error] = (counts.byError[error] ?? 0) + 1;
      }
      if (pauseMs > 0) await sleep(pauseMs);
    }
  };
  const loops = Array.from({ length: connections }, loop);
  return {
    async stop() {
      active = false;
      await Promise.all(loops);
      agent.destroy();
      return counts;
    },
  };
}

module.exports = { keepAliveLoad };
