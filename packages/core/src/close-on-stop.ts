import { registry as defaultRegistry } from './default-registry';
import type { HookRegistry } from './registry';
import type { HookOptions } from './types/hook-options';

/** Anything that stops accepting work and calls back once the work in flight is done (http.Server, net.Server). */
export interface Closable {
  close(callback: (error?: Error) => void): unknown;
}

/**
 * Closes `server` first when the worker stops: it stops accepting connections and the requests in
 * flight finish, so their spans end before the tracing flush. Its atexit hook is registered now,
 * after every postfork hook, so (LIFO) it runs before theirs. Bounded like any atexit hook by its
 * timeoutMs and its share of the shutdown deadline. Returns the unregister function.
 */
export function closeOnStop(server: Closable, options: HookOptions & { registry?: HookRegistry } = {}): () => void {
  const { registry = defaultRegistry, ...hookOptions } = options;
  return registry.add(
    'atexit',
    () =>
      new Promise<void>((resolve) => {
        // An error means it was not listening any more: nothing left to wait for.
        server.close(() => resolve());
      }),
    { name: 'close-server', ...hookOptions },
  );
}
