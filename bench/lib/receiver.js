// The @forkhooks/receiver in its own process (the CLI), as a collector would be: its CPU is not
// the workers'. It keeps no spans (--max-spans 0): it decodes and counts them per instance.
'use strict';
const { request } = require('node:http');
const { join } = require('node:path');
const { startNode, waitForLine, stopPid, sleep } = require('./processes');

const CLI = join(__dirname, '..', '..', 'packages', 'receiver', 'dist', 'cli.js');

function getJson(url, timeoutMs = 5_000) {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Starts the receiver on a free port of 127.0.0.1; resolves once it listens. */
async function startReceiverProcess(env) {
  const proc = startNode('receiver', CLI, ['--port', '0', '--host', '127.0.0.1', '--max-spans', '0'], { env });
  const [, url] = await waitForLine(proc, /listening on (http:\/\/127\.0\.0\.1:\d+)/, 10_000);
  return {
    url,
    pid: proc.pid,
    /** The receiver's `GET /` summary. */
    summary: () => getJson(`${url}/`),
    /** Spans received in total. */
    async count() {
      return (await getJson(`${url}/`)).stats.spansReceived;
    },
    /** Spans received from instances whose service.name is `serviceName`. */
    async spansOf(serviceName) {
      const { instances } = await getJson(`${url}/`);
      return instances.filter((i) => i.serviceName === serviceName).reduce((sum, i) => sum + i.spans, 0);
    },
    /** Polls `read()` until it stays the same for `quietMs` (bounded by `timeoutMs`); returns the last value. */
    async settle(read, quietMs = 1_000, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      let last = await read();
      let since = Date.now();
      while (Date.now() < deadline && Date.now() - since < quietMs) {
        await sleep(100);
        const now = await read();
        if (now !== last) {
          last = now;
          since = Date.now();
        }
      }
      return last;
    },
    async stop() {
      if (!(await stopPid(proc.pid, 'SIGTERM', 5_000))) throw new Error(`receiver pid ${proc.pid} did not stop`);
    },
  };
}

module.exports = { startReceiverProcess };
