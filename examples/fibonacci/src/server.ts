import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { trace, type Tracer } from '@opentelemetry/api';
import { fibFast, fibSlow, parseN } from './fibonacci';
import { fibonacciInstruments } from './metrics';

// Taken at module load, before postfork: a proxy until the worker's provider is registered.
const tracer: Tracer = trace.getTracer('forkhooks-example-fibonacci');

/** GET /fibonacci?n=N: spans root -> fib_slow, fib_fast, each with n and nth_fibonacci (the seed's app). */
export function fibonacci(n: number): number {
  return tracer.startActiveSpan('root', (root) => {
    try {
      tracer.startActiveSpan('fib_slow', (span) => {
        span.setAttributes({ n, nth_fibonacci: fibSlow(n) });
        span.end();
      });
      return tracer.startActiveSpan('fib_fast', (span) => {
        const answer = fibFast(n);
        span.setAttributes({ n, nth_fibonacci: answer });
        span.end();
        return answer;
      });
    } finally {
      root.end();
    }
  });
}

/** The request handler: /fibonacci, /healthz, 404 for the rest. Never throws. */
export function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const reply = (status: number, body: string): void => {
    // Which worker answered: lets a user (and the tests) see the load spread over the workers.
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-served-by': String(process.pid) });
    res.end(`${body}\n`);
  };
  if (req.method !== 'GET') return reply(405, 'only GET is served');
  if (url.pathname === '/healthz') return reply(200, 'ok');
  if (url.pathname !== '/fibonacci') return reply(404, 'try GET /fibonacci?n=10');
  const started = performance.now();
  const parsed = parseN(url.searchParams.get('n'));
  const status = 'error' in parsed ? 400 : 200;
  if ('error' in parsed) reply(400, parsed.error);
  else reply(200, `F(${parsed.n}) is: (${fibonacci(parsed.n)})`);
  const { requests, duration } = fibonacciInstruments();
  requests.add(1, { 'http.response.status_code': status });
  duration.record(performance.now() - started);
}

/** Parses PORT (default 3000); throws naming the variable. */
export function portFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.PORT?.trim() || '3000';
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) throw new Error(`PORT=${JSON.stringify(env.PORT)} is not a port number (0-65535)`);
  return port;
}

/** Starts the service on `port` (0: any free port) and resolves once it listens; rejects with a clear error if the port is taken. */
export function listen(port: number, host?: string): Promise<Server> {
  const server = createServer(handle);
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} is already in use: stop what holds it or set PORT to another port`) : error),
    );
    server.listen(port, host, () => resolve(server));
  });
}
