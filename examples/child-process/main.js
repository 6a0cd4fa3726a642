// Two child processes (child_process.fork through spawnChild), each serving the fibonacci
// service on its own port (PORT, PORT+1). The parent runs prefork before each spawn.
'use strict';
const { join } = require('node:path');
const { prefork } = require('@forkhooks/core');
const { runDemo } = require('@forkhooks/example-fibonacci');
const { spawnChild } = require('@forkhooks/runtimes');

const CHILDREN = 2;

prefork(function announce(ctx) {
  process.stdout.write(`prefork: about to spawn worker ${ctx.workerIndex}\n`);
});

runDemo({
  name: 'child_process',
  async start(env) {
    const children = [];
    for (let workerIndex = 0; workerIndex < CHILDREN; workerIndex++) {
      children.push(await spawnChild(join(__dirname, 'child.js'), { workerIndex, env }));
    }
    await Promise.all(children.map((c) => c.ready));
    return { stop: () => Promise.all(children.map((c) => c.stop())) };
  },
}).catch((error) => {
  process.stderr.write(`error: ${error.message}\n`);
  process.exit(1);
});
