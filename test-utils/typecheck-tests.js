// Type-checks every test folder with the tsconfig jest transpiles it with. ts-jest only
// transpiles (isolatedModules), so without this a test with a type error, or an
// `@ts-expect-error` that no longer expects one, would pass. The list comes from jest.config.js,
// so a new jest project (or a new file under a project's include globs) is checked with no edit here.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { projects } = require('../jest.config.js');

const root = path.resolve(__dirname, '..');
const tsconfigs = [];
for (const project of projects) {
  const transform = Object.values(project.transform ?? {}).find((t) => Array.isArray(t) && t[0] === 'ts-jest');
  const tsconfig = transform?.[1]?.tsconfig;
  if (typeof tsconfig !== 'string') continue;
  const rootDir = project.rootDir.replace('<rootDir>', root);
  const file = path.relative(root, tsconfig.replace('<rootDir>', rootDir));
  if (!tsconfigs.includes(file)) tsconfigs.push(file);
}
if (tsconfigs.length === 0) throw new Error('no ts-jest tsconfig found in jest.config.js projects: nothing to type-check');

// One `tsc -b` over all of them shares the parsed lib and @types files, so it costs one check, not one per folder.
// These tsconfigs are noEmit without tsbuildinfo, so every run checks every file (no stale skip).
const tsc = require.resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-b', ...tsconfigs], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.error(`test type-check failed (tsc -b ${tsconfigs.join(' ')})`);
  process.exit(result.status ?? 1);
}
