// The four published packages as a user gets them: `npm pack` tarballs of the built workspaces.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const REPO = join(__dirname, '..');

/** The workspaces that are published, in dependency order. */
export const PUBLISHED = ['packages/core', 'packages/runtimes', 'packages/otel-init', 'packages/receiver'] as const;

/**
 * Packs every published workspace into `destination` (after `npm run build`: the tarballs take `dist`
 * as it is) and returns the tarballs' absolute paths, in the order of `PUBLISHED`.
 */
export function packPublished(destination: string): string[] {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', destination, ...PUBLISHED.flatMap((w) => ['-w', w])], {
    cwd: REPO,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  const packed = JSON.parse(out) as Array<{ filename: string }>;
  if (packed.length !== PUBLISHED.length) throw new Error(`npm pack made ${packed.length} tarballs, expected ${PUBLISHED.length}: ${out}`);
  return packed.map((p) => join(destination, p.filename));
}
