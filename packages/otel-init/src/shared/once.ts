// Say it once per key, for every signal: a setting warned about, a module reported late, an
// instrumentation check, a collector's partial refusal. One line per cause, never one per span,
// batch or interval.

/** true the first time `key` is seen in `seen` (which then holds it), false ever after. */
export function firstTime<K>(seen: Set<K>, key: K): boolean {
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}

/** A once-per-key gate with its own memory: `first(key)` is true the first time only. */
export class OncePerKey<K = string> {
  readonly #seen = new Set<K>();

  first(key: K): boolean {
    return firstTime(this.#seen, key);
  }
}

/** A gate for a single thing to say: true at the first call, false ever after. */
export function once(): () => boolean {
  let said = false;
  return () => {
    if (said) return false;
    said = true;
    return true;
  };
}
