/** WORKERS (default 2): a positive whole number, or a clear error naming the variable. */
export function workersFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.WORKERS?.trim();
  if (raw === undefined || raw === '') return 2;
  const workers = Number(raw);
  if (!/^\d+$/.test(raw) || workers < 1 || workers > 64) {
    throw new Error(`WORKERS=${JSON.stringify(env.WORKERS)} is not valid: use a whole number from 1 to 64 (default 2)`);
  }
  return workers;
}
