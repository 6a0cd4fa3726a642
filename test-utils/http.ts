// Plain HTTP GETs to 127.0.0.1 for tests (bounded: every request has a timeout).
import { get, type Agent } from 'node:http';
import { createServer } from 'node:net';

/** A response: status, body and headers. */
export interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** GET `url`, failing after `timeoutMs`; on a connection of its own unless given a (keep-alive) `agent`. */
export function httpGet(url: string, timeoutMs = 5_000, agent: Agent | false = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** A free TCP port on 127.0.0.1 (asked of the OS, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether `port` on 127.0.0.1 can be listened on right now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port such that it and the `count - 1` after it are free (for workers that listen on PORT + slot). */
export async function freePortRun(count: number, tries = 20): Promise<number> {
  for (let i = 0; i < tries; i++) {
    const base = await freePort();
    const rest = await Promise.all(Array.from({ length: count - 1 }, (_, k) => canListen(base + k + 1)));
    if (base + count <= 65535 && rest.every(Boolean)) return base;
  }
  throw new Error(`no run of ${count} free ports found on 127.0.0.1 in ${tries} tries`);
}
