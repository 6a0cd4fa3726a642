// A stand-in OTLP/HTTP collector for bench/lib/pipeline.js: answers every POST with 200 and an empty
// export response, and counts requests and body bytes. It decodes nothing, so the measured process
// is compared on what it sends, not on what a collector does with it. Prints
// `sink listening on http://127.0.0.1:PORT`; GET /count answers { requests, bytes }.
'use strict';
const { createServer } = require('node:http');

let requests = 0;
let bytes = 0;
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/count') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ requests, bytes }));
    return;
  }
  req.on('data', (chunk) => {
    bytes += chunk.length;
  });
  req.on('end', () => {
    requests++;
    const json = String(req.headers['content-type']).includes('json');
    res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
    res.end(json ? '{}' : '');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`sink listening on http://127.0.0.1:${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
