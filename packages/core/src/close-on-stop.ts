import { assertClosable, type Closable } from './closable';
import { registry as defaultRegistry } from './default-registry';
import { addDrainTarget, closeServer } from './drain';
import type { HookRegistry } from './registry';
import type { HookOptions } from './types/hook-options';

/**
 * Closes `server` (an http/https/http2 server, or a Fastify or NestJS app: anything whose close()
 * returns a promise; nothing else compiles) first when the worker stops: it stops accepting connections, idle keep-alive
 * connections close, and the requests in flight finish (their spans end) before atexit runs. This
 * drain has its own bound (`drainTimeoutMs`, default 10,000 ms) and does not eat the atexit deadline;
 * connections still open after it are cut. An atexit hook (registered now, so it runs first, LIFO)
 * also awaits the same close, for runs of atexit that had no drain. Returns the unregister function.
 */
export function closeOnStop(server: Closable, options: HookOptions & { registry?: HookRegistry } = {}): () => void {
  assertClosable(server);
  const { registry = defaultRegistry, ...hookOptions } = options;
  const removeTarget = addDrainTarget(registry, server);
  const removeHook = registry.add('atexit', () => closeServer(server), { name: 'close-server', ...hookOptions });
  return () => {
    removeTarget();
    removeHook();
  };
}
