// A fixture app whose dependencies are not the repo's (a framework in another major version, say):
// its package.json is installed once into a folder under the OS temp dir named by the manifest's
// hash (and the checkout's path), and reused by later runs. The repo's own packages are linked in, so the fixture runs the
// code under test, and @opentelemetry/api is the repo's copy (one api in the process).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO = join(__dirname, '..');
const LINKED: Record<string, string> = {
  '@forkhooks/core': join(REPO, 'packages', 'core'),
  '@forkhooks/otel-init': join(REPO, 'packages', 'otel-init'),
  '@forkhooks/runtimes': join(REPO, 'packages', 'runtimes'),
  '@opentelemetry/api': join(REPO, 'node_modules', '@opentelemetry', 'api'),
};

/**
 * Installs `manifest` (npm install, reaching the registry the first time only) into a cached
 * folder, links the repo's packages in, copies `files` there, and returns the folder. `ownApi`:
 * the manifest installs its own @opentelemetry/api (another OTel line), which is then not replaced
 * by the repo's; run the fixture with NODE_PRESERVE_SYMLINKS=1 so the linked packages resolve the
 * fixture's OpenTelemetry packages, not the repo's.
 */
export async function installFixture(name: string, manifest: Record<string, unknown>, files: string[], { ownApi = false } = {}): Promise<string> {
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  // The checkout is part of the name: each links its own @forkhooks packages in, and two checkouts
  // testing at once in one shared folder would load each other's code.
  const dir = join(tmpdir(), `forkhooks-fixture-${name}-${createHash('sha256').update(REPO).update(text).digest('hex').slice(0, 12)}`);
  if (!existsSync(join(dir, 'node_modules', '.installed'))) {
    const staging = `${dir}.${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    writeFileSync(join(staging, 'package.json'), text);
    try {
      await run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], { cwd: staging, timeout: 300_000 });
    } catch (error) {
      throw new Error(`npm install of the ${name} fixture failed (it needs the npm registry the first time): ${(error as { stderr?: string }).stderr ?? String(error)}`);
    }
    writeFileSync(join(staging, 'node_modules', '.installed'), '');
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  }
  for (const [pkg, target] of Object.entries(LINKED)) {
    if (ownApi && pkg === '@opentelemetry/api') continue;
    const link = join(dir, 'node_modules', pkg);
    rmSync(link, { recursive: true, force: true });
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(target, link, 'dir');
  }
  for (const file of files) copyFileSync(file, join(dir, basename(file)));
  return dir;
}
