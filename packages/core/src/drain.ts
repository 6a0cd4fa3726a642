import { closeNow, type Closable } from './closable';
import { EnvVars, envInteger } from './env';
import { describe } from './errors/hook.error';
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

/** How often idle keep-alive connections are closed while draining (a connection turns idle when its last response ends). */
const IDLE_SWEEP_MS = 100;

const targets = new WeakMap<HookRegistry, Set<DrainTarget>>();
let requests = 0;
const count = (): void => {
  requests += 1;
};

/** Requests seen by the http servers given to closeOnStop in this process (a manager's maxRequests counts these). */
export function requestCount(): number {
  return requests;
}
const closing = new WeakMap<DrainTarget, Promise<void>>();

/** Adds `server` to the servers drained when the worker of `registry` stops. Returns the removal. */
export function addDrainTarget(registry: HookRegistry, server: DrainTarget): () => void {
  let set = targets.get(registry);
  if (!set) targets.set(registry, (set = new Set()));
  set.add(server);
  // An http/https/http2 server emits 'request' for each request: counting costs one increment on the
  // request path. An app whose close() returns a promise (Fastify, NestJS) is not counted.
  const emitter = server as Partial<NodeJS.EventEmitter> & { listening?: unknown };
  const counts = typeof emitter.listening === 'boolean' && typeof emitter.on === 'function' && typeof emitter.off === 'function';
  if (counts) emitter.on!('request', count);
  return () => {
    if (counts) emitter.off!('request', count);
    return set.delete(server);
  };
}

/** How many servers the drain of `registry`'s worker will close. */
export function drainTargetCount(registry: HookRegistry): number {
  return targets.get(registry)?.size ?? 0;
}

/**
 * Closes `server` once (later calls get the same promise): it stops accepting connections, idle
 * keep-alive connections are closed at once and as they turn idle, and it resolves when the requests
 * in flight have ended.
 */
export function closeServer(server: DrainTarget): Promise<void> {
  let done = closing.get(server);
  if (done) return done;
  const sweep = setInterval(() => server.closeIdleConnections?.(), IDLE_SWEEP_MS);
  // closeNow gives a server its callback and awaits an app's close() promise (a NestJS app would
  // take a callback for its signal argument and never call it).
  done = closeNow(server)
    .catch((error: unknown) => log.warn(`closeOnStop: close() failed: ${describe(error)}`))
    .finally(() => clearInterval(sweep));
  server.closeIdleConnections?.();
  closing.set(server, done);
  return done;
}

/**
 * The drain of a stopping worker: closes every server given to closeOnStop and waits up to `timeoutMs`
 * for the requests in flight. Connections still open then are cut (closeAllConnections), in one line
 * with their count. Resolves at once when there is no server to drain; resolves false when it cut.
 */
export async function drainServers(registry: HookRegistry, timeoutMs: number): Promise<boolean> {
  const servers = [...(targets.get(registry) ?? [])];
  if (servers.length === 0) return true;
  const started = performance.now();
  if (await settlesWithin(Promise.all(servers.map(closeServer)), timeoutMs)) {
    log.debug(`drained ${servers.length} server(s) in ${(performance.now() - started).toFixed(0)} ms`);
    return true;
  }
  const open = (await Promise.all(servers.map(openConnections))).reduce((a, b) => a + b, 0);
  log.warn(`drain: ${open} connection(s) still open after ${timeoutMs} ms (drainTimeoutMs / ${EnvVars.DRAIN_TIMEOUT_MS}); closing them, their requests are cut off`);
  for (const server of servers) server.closeAllConnections?.();
  return false;
}

function openConnections(server: DrainTarget): Promise<number> {
  return new Promise((resolve) => {
    if (!server.getConnections) return resolve(0);
    server.getConnections((error, count) => resolve(error ? 0 : count));
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
