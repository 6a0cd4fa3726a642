/** Ends the process on a configuration error: one clear line, exit 2, no stack trace. */
export function fail(error: unknown): never {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
