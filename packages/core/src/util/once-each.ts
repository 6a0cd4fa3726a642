/** Returns true the first time it sees a key, false after: for messages said once per kind ("already stopping"). */
export function onceEach(): (key: string) => boolean {
  const seen = new Set<string>();
  return (key) => {
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
}
