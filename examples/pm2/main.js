// npm start: an embedded OTLP receiver, then `pm2 start ecosystem.config.js` with its own PM2_HOME
// (a temporary folder: your own PM2 daemon is left alone); Ctrl-C deletes the app (PM2 sends each
// instance SIGINT: atexit flushes its spans) and kills that daemon.
'use strict';
const { execFile } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { promisify } = require('node:util');
const { runDemo } = require('@forkhooks/example-fibonacci');

const PM2 = require.resolve('pm2/bin/pm2');
const home = mkdtempSync(join(tmpdir(), 'forkhooks-pm2-home-'));

function pm2(env, ...args) {
  return promisify(execFile)(process.execPath, [PM2, ...args], { cwd: __dirname, env: { ...env, PM2_HOME: home }, timeout: 30000 });
}

runDemo({
  name: 'pm2 (cluster mode, 2 instances)',
  async start(env) {
    await pm2(env, 'start', join(__dirname, 'ecosystem.config.js'));
    return {
      async stop() {
        await pm2(env, 'delete', 'fibonacci').catch(() => undefined);
        await pm2(env, 'kill').catch(() => undefined);
        rmSync(home, { recursive: true, force: true });
      },
    };
  },
}).catch((error) => {
  process.stderr.write(`error: ${error.message}\n`);
  rmSync(home, { recursive: true, force: true });
  process.exit(1);
});
