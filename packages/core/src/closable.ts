import { log } from './logger';
import { isThenable } from './util/is-thenable';

/** A net.Server-like server (http, https, http2, net): stops accepting, calls back once the connections in flight ended. */
export interface ServerClosable {
  readonly listening: boolean;
  close(callback?: (error?: Error) => void): unknown;
}

/** Anything whose `close()` returns a promise: a Fastify instance, a NestJS application. */
export interface PromiseClosable {
  close(): PromiseLike<unknown>;
}

/** What `closeOnStop` accepts: a server, or an app whose `close()` returns a promise. */
export type Closable = ServerClosable | PromiseClosable;

/** Throws a TypeError naming `value` unless it has a `close` method: the runtime half of the Closable type. */
export function assertClosable(value: unknown): asserts value is Closable {
  if (typeof value === 'object' && value !== null && typeof (value as { close?: unknown }).close === 'function') return;
  const what = value === null ? 'null' : typeof value === 'object' ? `an object without a close() method (${value.constructor?.name ?? 'Object'})` : typeof value;
  throw new TypeError(`closeOnStop expects an http/https/http2 server, or an object whose close() returns a promise (Fastify, a NestJS application); got ${what}`);
}

/**
 * Closes `target` and resolves when it has closed. A server gets a callback; anything else is called
 * with no argument and its promise awaited (a NestJS app would take a callback for its signal
 * argument and never call it).
 */
export function closeNow(target: Closable): Promise<void> {
  if (isServer(target)) {
    // An error means it was not listening any more: nothing left to wait for.
    return new Promise<void>((resolve) => void target.close(() => resolve()));
  }
  const returned: unknown = target.close();
  if (isThenable(returned)) return Promise.resolve(returned).then(() => undefined);
  log.warn(`closeOnStop: close() of ${target.constructor?.name ?? 'the object'} returned no promise, so nothing waits for it to finish`);
  return Promise.resolve();
}

function isServer(target: Closable): target is ServerClosable {
  return typeof (target as Partial<ServerClosable>).listening === 'boolean';
}
