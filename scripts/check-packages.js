// Checks the four packages as a registry and its users would see them, from the packed tarballs
// (what `files` lets through, not the working tree): `npm run lint` runs it after the build.
// - what ships: dist (no .tsbuildinfo, no declaration maps, whose sources are not shipped),
//   README.md, LICENSE, package.json;
// - publint: every message fails, suggestions included (they are cheap to follow);
// - attw (@arethetypeswrong/cli): types resolve for every entry point under node10, node16
//   (from CJS and from ESM) and bundler resolution.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const PACKAGES = ['core', 'runtimes', 'otel-init', 'receiver'];
/** Files a tarball may hold besides dist/**: npm adds package.json itself. */
const TOP_LEVEL = new Set(['package.json', 'README.md', 'LICENSE']);

function shipped(file) {
  if (TOP_LEVEL.has(file)) return true;
  if (!file.startsWith('dist/')) return false;
  return !file.endsWith('.tsbuildinfo') && !/\.d\.[cm]?ts\.map$/.test(file);
}

function attwBin() {
  const manifest = require.resolve('@arethetypeswrong/cli/package.json');
  const { bin } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  return path.join(path.dirname(manifest), typeof bin === 'string' ? bin : bin.attw);
}

async function main() {
  const { publint } = await import('publint');
  const { formatMessage } = await import('publint/utils');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forkhooks-pack-'));
  const failures = [];
  try {
    const args = ['pack', '--json', '--pack-destination', dir, ...PACKAGES.flatMap((p) => ['-w', `packages/${p}`])];
    const packed = JSON.parse(execFileSync('npm', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
    for (const { name, filename, files } of packed) {
      const tarball = path.join(dir, filename);
      const paths = files.map((f) => f.path);
      const unwanted = paths.filter((f) => !shipped(f));
      if (unwanted.length > 0) failures.push(`${name}: ships files it should not: ${unwanted.join(', ')}`);
      for (const needed of ['LICENSE', 'README.md']) if (!paths.includes(needed)) failures.push(`${name}: ${needed} is missing from the tarball`);

      const buffer = fs.readFileSync(tarball);
      const { messages, pkg } = await publint({ pack: { tarball: buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.length) }, level: 'suggestion' });
      for (const message of messages) failures.push(`${name}: publint ${message.type}: ${formatMessage(message, pkg, { color: false })}`);

      const attw = spawnSync(process.execPath, [attwBin(), tarball, '--format', 'ascii', '--no-color', '--no-emoji'], { encoding: 'utf8' });
      if (attw.status !== 0) failures.push(`${name}: attw found problems:\n${attw.stdout}${attw.stderr}`);
      process.stdout.write(`${name}: ${paths.length} files, publint ${messages.length} messages, attw ${attw.status === 0 ? 'ok' : 'FAILED'}\n`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (failures.length > 0) {
    process.stderr.write(`check-packages: ${failures.length} problem(s):\n${failures.join('\n')}\n`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  process.stderr.write(`check-packages: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
