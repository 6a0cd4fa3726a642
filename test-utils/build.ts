// The fixtures are plain JS run as real processes: they require the built packages, not the sources.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The workspace packages a fixture may require. */
export type WorkspacePackage = 'core' | 'runtimes' | 'otel-init' | 'receiver';

const ROOT = join(__dirname, '..');

/**
 * Fails with what to run when one of `packages` is not built, instead of with a module-not-found deep
 * in a child. Takes no argument in `beforeAll(assertBuilt)`: jest would pass a done callback to one that does.
 */
export function assertBuilt(packages: readonly WorkspacePackage[] = ['core', 'runtimes', 'otel-init', 'receiver']): void {
  for (const pkg of packages) {
    if (!existsSync(join(ROOT, 'packages', pkg, 'dist', 'index.js'))) {
      throw new Error(`packages/${pkg} is not built: run \`npx tsc -b packages/${pkg}\` (or \`npm run build\`) first`);
    }
  }
}
