// Say it once per key, for every signal: a setting warned about, a module reported late, an
// instrumentation check, a collector's partial refusal. One line per cause, never one per span,
// batch or interval. All of it is core's one say-once helper (onceEach).
import { log } from '@forkhooks/core';
import { onceEach } from '@forkhooks/core/manager';

/** true the first time `key` is seen in `seen` (which then holds it), false ever after. */
export function firstTime<K>(seen: Set<K>, key: K): boolean {
  return onceEach(seen)(key);
}

/** A once-per-key gate with its own memory: `first(key)` is true the first time only. */
export class OncePerKey<K = string> {
  readonly first: (key: K) => boolean = onceEach<K>();
}

/** A gate for a single thing to say: true at the first call, false ever after. */
export function once(): () => boolean {
  const first = onceEach<true>();
  return () => first(true);
}

const warned = new OncePerKey();
/** log.warn, once per message in this process: traces and metrics read the same generic variables, and a bad one is said once. */
export function warnOnce(message: string): void {
  if (warned.first(message)) log.warn(message);
}
