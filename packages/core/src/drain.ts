import { closeNow, type Closable } from './closable';
import { EnvVars, envInteger } from './env';
import { describe } from './errors/hook.error';
import { beginDrain, endDrain, httpServerOf, watchRequests, type HttpServerLike } from './keep-alive';
export { requestCount } from './keep-alive';
import { log } from './logger';
import type { HookRegistry } from './registry';
import { settlesWithin } from './util/settles-within';

/** How long a stopping worker lets requests in flight finish, before atexit, when nothing else says. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;

/** What the drain closes: a server or a promise-closing app, with the connection controls http servers have (Node >= 18.2). */
export type DrainTarget = Closable & {
  closeIdleConnections?(): void;
  closeAllConnections?(): void;
  getConnections?(callback: (error: Error | null, count: number) => void): void;
};

const targets = new WeakMap<HookRegistry, Set<DrainTarget>>();
const closing = new WeakMap<DrainTarget, Promise<void>>();

/** Adds `server` to the servers drained when the worker of `registry` stops. Returns the removal. */
export function addDrainTarget(registry: HookRegistry, server: DrainTarget): () => void {
  let set = targets.get(registry);
  if (!set) targets.set(registry, (set = new Set()));
  set.add(server);
  // An http/https/http2 server (or the one under a NestJS or Fastify app) emits 'request' for each
  // request: counting costs one increment and one check on the request path.
  const http = httpServerOf(server);
  const unwatch = http ? watchRequests(http) : undefined;
  return () => {
    unwatch?.();
    return set.delete(server);
  };
}

/** How many servers the drain of `registry`'s worker will close. */
export function drainTargetCount(registry: HookRegistry): number {
  return targets.get(registry)?.size ?? 0;
}

/**
 * Closes `server` once (later calls get the same promise): it stops accepting connections, every
 * response from now on says `Connection: close` (keep-alive.ts), so each kept-alive socket closes right
 * after its next response, and it resolves when every connection has ended. An idle socket is left
 * open (a request may be on its way on it) until the drain time ends: see drainServers.
 */
export function closeServer(server: DrainTarget): Promise<void> {
  let done = closing.get(server);
  if (done) return done;
  const http = httpServerOf(server);
  if (http) beginDrain(http);
  // closeNow gives a server its callback and awaits an app's close() promise (a NestJS app would
  // take a callback for its signal argument and never call it).
  done = closeNow(server)
    .catch((error: unknown) => log.warn(`closeOnStop: close() failed: ${describe(error)}`))
    .finally(() => http && endDrain(http));
  closing.set(server, done);
  return done;
}

/**
 * The drain of a stopping worker: closes every server given to closeOnStop and waits up to `timeoutMs`
 * for its connections to end. Then the sockets still idle are closed (no request is lost with them),
 * and connections that still carry a request are cut (closeAllConnections), in one line with their
 * count. Resolves at once when there is no server to drain; resolves false when it cut.
 */
export async function drainServers(registry: HookRegistry, timeoutMs: number): Promise<boolean> {
  const servers = [...(targets.get(registry) ?? [])];
  if (servers.length === 0) return true;
  const started = performance.now();
  const closed = Promise.all(servers.map(closeServer));
  if (await settlesWithin(closed, timeoutMs)) {
    log.debug(`drained ${servers.length} server(s) in ${(performance.now() - started).toFixed(0)} ms`);
    return true;
  }
  const https = servers.map((s) => httpServerOf(s) ?? s);
  for (const server of https) if (isHttp(server)) endDrain(server);
  // Idle sockets close on the next turn; what is open after it carries a request.
  if (await settlesWithin(closed, IDLE_CLOSE_MS)) {
    log.debug(`drained ${servers.length} server(s) in ${(performance.now() - started).toFixed(0)} ms; idle kept-alive sockets closed at the end of the drain time`);
    return true;
  }
  const open = (await Promise.all(https.map(openConnections))).reduce((a, b) => a + b, 0);
  log.warn(`drain: ${open} connection(s) still open after ${timeoutMs} ms (drainTimeoutMs / ${EnvVars.DRAIN_TIMEOUT_MS}); closing them, their requests are cut off`);
  for (const server of https) (server as DrainTarget).closeAllConnections?.();
  return false;
}

/** How long idle sockets closed at the end of the drain time take to be counted gone. */
const IDLE_CLOSE_MS = 50;

function isHttp(server: object): server is HttpServerLike {
  return httpServerOf(server) === server;
}

function openConnections(server: object): Promise<number> {
  const { getConnections } = server as DrainTarget;
  return new Promise((resolve) => {
    if (typeof getConnections !== 'function') return resolve(0);
    getConnections.call(server, (error, count) => resolve(error ? 0 : count));
  });
}

/** The drain time: explicit, else FORKHOOKS_DRAIN_TIMEOUT_MS (set by forkhooks' managers), else the default. 0 cuts at once. */
export function resolveDrainTimeout(explicit: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  if (explicit !== undefined) {
    if (typeof explicit !== 'number' || !Number.isFinite(explicit) || explicit < 0) {
      throw new TypeError(`drainTimeoutMs must be a number of milliseconds >= 0 (0: cut open connections at once), got ${String(explicit)}`);
    }
    return explicit;
  }
  return envInteger(env, EnvVars.DRAIN_TIMEOUT_MS, 0) ?? DEFAULT_DRAIN_TIMEOUT_MS;
}
