import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

/** The app's entry file (process.argv[1]), or undefined (a REPL, `node -e`). */
export function appEntry(argv: readonly string[] = process.argv): string | undefined {
  const entry = argv[1];
  return entry !== undefined && existsSync(entry) ? resolve(entry) : undefined;
}

/**
 * A `require` that resolves as the app's entry file does: an optional peer dependency is the app's
 * to install, so it is looked up from the app, not from otel-init's own folder.
 */
export function appRequire(): NodeJS.Require {
  return createRequire(appEntry() ?? join(process.cwd(), 'index.js'));
}
