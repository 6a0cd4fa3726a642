/**
 * Returns true the first time it sees a key, false after: for messages said once per kind ("already
 * stopping", a setting warned about, a conflict noted). `seen` may be a set kept elsewhere (state
 * shared by two copies of a package on globalThis).
 */
export function onceEach<K = string>(seen: Set<K> = new Set<K>()): (key: K) => boolean {
  return (key) => {
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
}
