// pm2 start ecosystem.config.js
// The env is read when PM2 loads this file, so OTEL_* set in your shell reach the instances.
'use strict';
const { join } = require('node:path');

const passThrough = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name.startsWith('OTEL_') || name.startsWith('FORKHOOKS_') || name === 'PORT'),
);

module.exports = {
  apps: [
    {
      name: 'fibonacci',
      script: join(__dirname, 'app.js'),
      exec_mode: 'cluster',
      instances: 2,
      // Reloads wait for startWorker's process.send('ready'), sent once the server listens.
      wait_ready: true,
      listen_timeout: 10000,
      // PM2 SIGKILLs after kill_timeout (1,600 ms by default): leave room for the span flush.
      // startWorker bounds its atexit hooks to kill_timeout less 200 ms.
      kill_timeout: 5000,
      env: { OTEL_SERVICE_NAME: 'fibonacci', ...passThrough },
    },
  ],
};
