import { assertClosable, closeNow, type Closable } from './closable';
import { registry as defaultRegistry } from './default-registry';
import type { HookRegistry } from './registry';
import type { HookOptions } from './types/hook-options';

/**
 * Closes `server` (an http/https/http2 server, or a Fastify or NestJS app: anything whose close()
 * returns a promise; nothing else compiles) first when the worker stops: it stops accepting connections and the requests in
 * flight finish, so their spans end before the tracing flush. Its atexit hook is registered now,
 * after every postfork hook, so (LIFO) it runs before theirs. Bounded like any atexit hook by its
 * timeoutMs and its share of the shutdown deadline. Returns the unregister function.
 */
export function closeOnStop(server: Closable, options: HookOptions & { registry?: HookRegistry } = {}): () => void {
  assertClosable(server);
  const { registry = defaultRegistry, ...hookOptions } = options;
  return registry.add('atexit', () => closeNow(server), { name: 'close-server', ...hookOptions });
}
