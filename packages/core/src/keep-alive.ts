import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The http side of a drain (Gunicorn's `resp.force_close()` once its worker is draining): from the
 * moment a server starts to drain, every response it sends says `Connection: close`, so each kept-alive
 * socket is closed by Node right after a response. A socket is never closed while idle, when the
 * client may already be sending its next request on it (that race is where a reload's ECONNRESETs
 * came from: the client's request meets a closed socket). Sockets that stay idle are closed once
 * they have had IDLE_GRACE_MS to send a request (or at the end of the drain time, if sooner): a client
 * that is sending has done so by then and got its `Connection: close`; one that has not is idle as at a
 * keepAliveTimeout, Node's own close of an idle socket. So a drain does not wait for a client's idle
 * pool (Node's global agent keeps sockets alive since Node 19) until the drain time ends.
 */

/** How long a socket idle when its server starts to drain is left for a request, before it is closed. */
export const IDLE_GRACE_MS = 1_000;

/** What a drain needs of an http/https server (Node >= 18.2): its requests, and its idle-connection closer. */
export interface HttpServerLike {
  readonly listening: boolean;
  on(event: 'request', listener: (req: IncomingMessage, res: ServerResponse) => void): unknown;
  prependListener(event: 'request', listener: (req: IncomingMessage, res: ServerResponse) => void): unknown;
  off(event: 'request', listener: (req: IncomingMessage, res: ServerResponse) => void): unknown;
  closeIdleConnections?(): void;
}

const draining = new WeakSet<object>();
const graceTimers = new WeakMap<object, NodeJS.Timeout>();
let anyDraining = false;
let requests = 0;

/** Requests seen by the http servers given to closeOnStop in this process (a manager's maxRequests counts these). */
export function requestCount(): number {
  return requests;
}

/**
 * The one 'request' listener, first in line (so it runs before the app's own handler, which may answer
 * at once): counts the request and, once its server drains, makes the response close its socket.
 */
function onRequest(this: object, _req: IncomingMessage, res: ServerResponse): void {
  requests += 1;
  if (anyDraining && draining.has(this)) res.shouldKeepAlive = false;
}

/** The http/https server behind a drain target: the server itself, a NestJS app's getHttpServer(), a Fastify instance's `server`. */
export function httpServerOf(target: object): HttpServerLike | undefined {
  if (isHttpServer(target)) return target;
  const nest = (target as { getHttpServer?: unknown }).getHttpServer;
  if (typeof nest === 'function') {
    try {
      const server: unknown = nest.call(target);
      if (isHttpServer(server)) return server;
    } catch {
      // not initialised yet: nothing to watch
    }
  }
  const fastify = (target as { server?: unknown }).server;
  return isHttpServer(fastify) ? fastify : undefined;
}

function isHttpServer(value: unknown): value is HttpServerLike {
  const s = value as Partial<HttpServerLike> | null;
  return typeof s === 'object' && s !== null && typeof s.listening === 'boolean' && typeof s.prependListener === 'function' && typeof s.off === 'function';
}

/** Counts `server`'s requests (and lets its drain reach them). Returns the removal. */
export function watchRequests(server: HttpServerLike): () => void {
  if (!hasListener(server)) server.prependListener('request', onRequest);
  return () => void server.off('request', onRequest);
}

/**
 * `server` starts to drain: its responses carry `Connection: close` from now on, and the
 * closeIdleConnections() that http's close() (Node >= 19) and frameworks call is held back for
 * IDLE_GRACE_MS (or until `endDrain`, if sooner), so no idle socket is closed under a request on its way.
 */
export function beginDrain(server: HttpServerLike): void {
  if (draining.has(server)) return;
  if (!hasListener(server)) server.prependListener('request', onRequest);
  draining.add(server);
  anyDraining = true;
  const closeIdle = server.closeIdleConnections;
  if (typeof closeIdle === 'function') {
    Object.defineProperty(server, 'closeIdleConnections', { value: () => undefined, configurable: true, writable: true });
    // The sockets idle now (or turned idle since) have had their time to send a request: close them.
    graceTimers.set(server, setTimeout(() => closeIdle.call(server), IDLE_GRACE_MS).unref());
  }
}

/** The drain time ended (or the server closed): idle sockets are closed now, with closeIdleConnections restored. */
export function endDrain(server: HttpServerLike): void {
  clearTimeout(graceTimers.get(server));
  if (Object.prototype.hasOwnProperty.call(server, 'closeIdleConnections')) delete (server as { closeIdleConnections?: unknown }).closeIdleConnections;
  server.closeIdleConnections?.();
}

function hasListener(server: HttpServerLike): boolean {
  const listeners = (server as unknown as NodeJS.EventEmitter).listeners?.('request') ?? [];
  return listeners.includes(onRequest);
}
