// Loads one of the repo's TypeScript test helpers (test-utils/*.ts) from plain JS, transpiled in
// memory by the repo's typescript: the bench reuses that code instead of keeping a JS copy of it.
'use strict';
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname } = require('node:path');

/** `require` for a .ts file whose imports are node builtins or other modules `require` can load. */
function requireTs(file) {
  const ts = require('typescript');
  const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(dirname(file));
  mod._compile(outputText, file);
  return mod.exports;
}

module.exports = { requireTs };
