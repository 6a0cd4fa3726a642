// Load with autocannon's programmatic API: GET /fibonacci?n=20 on 127.0.0.1, a bounded number of
// connections, a fixed duration (or until stopped), every run bounded in time.
'use strict';
const autocannon = require('autocannon');

const PATH = '/fibonacci?n=20';

function options(url, { connections, durationS, overallRate }) {
  return {
    url: `${url}${PATH}`,
    connections,
    pipelining: 1,
    duration: durationS,
    timeout: 10,
    ...(overallRate && { overallRate }),
  };
}

/** What we keep of an autocannon result. */
function summarize(result) {
  const ok = result['2xx'] ?? 0;
  return {
    rps: ok / result.duration,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    duration_s: result.duration,
  };
}

/** Runs the load for `durationS` seconds and resolves with its summary (rejects after a bound). */
function run(url, settings) {
  return new Promise((resolve, reject) => {
    const bound = setTimeout(() => {
      instance.stop();
      reject(new Error(`autocannon against ${url} did not finish within ${settings.durationS + 30} s`));
    }, (settings.durationS + 30) * 1000);
    const instance = autocannon(options(url, settings), (error, result) => {
      clearTimeout(bound);
      if (error) reject(error);
      else resolve(summarize(result));
    });
  });
}

/**
 * Starts a steady load (`overallRate` requests/s) that runs until `stop()` (or `maxS` seconds);
 * `stop()` resolves with the summary.
 */
function start(url, { connections, overallRate, maxS }) {
  let finished;
  const done = new Promise((resolve, reject) => {
    const instance = autocannon(options(url, { connections, durationS: maxS, overallRate }), (error, result) => (error ? reject(error) : resolve(summarize(result))));
    finished = instance;
  });
  return {
    stop() {
      finished.stop();
      return done;
    },
  };
}

module.exports = { run, start, PATH };
