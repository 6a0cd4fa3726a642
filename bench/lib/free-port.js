// A free TCP port on 127.0.0.1 (listen on 0, read it, close).
'use strict';
const { createServer } = require('node:net');

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

module.exports = { freePort };
