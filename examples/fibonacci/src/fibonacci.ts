/** The largest n served: fibSlow is exponential, and n = 36 already takes about a second under load. */
export const MAX_N = 35;

/** The seed's slow version: naive recursion. */
export function fibSlow(n: number): number {
  return n < 2 ? n : fibSlow(n - 1) + fibSlow(n - 2);
}

/** The seed's fast version: iteration. */
export function fibFast(n: number): number {
  let [a, b] = [0, 1];
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
}

/** Parses the `n` query parameter; returns the reason it is bad, for a 400. */
export function parseN(raw: string | null): { n: number } | { error: string } {
  if (raw === null || raw.trim() === '') return { error: 'missing query parameter n: try /fibonacci?n=10' };
  if (!/^-?\d+$/.test(raw.trim())) return { error: `n must be a whole number, got ${JSON.stringify(raw)}` };
  const n = Number(raw);
  if (n < 0) return { error: `n must be 0 or more, got ${n}` };
  if (n > MAX_N) return { error: `n must be at most ${MAX_N} (fib_slow is exponential: a larger n would take seconds), got ${n}` };
  return { n };
}
