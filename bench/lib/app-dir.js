// Runs the bench apps from another folder: one holding another OpenTelemetry line's packages with
// the repo's @forkhooks packages linked in (bench/matrix.js builds it with test-utils/fixture-install.ts).
// The apps are copied to DIR/bench-apps, so what they require resolves from DIR/node_modules, and
// they run with NODE_PRESERVE_SYMLINKS=1, so the linked @forkhooks packages resolve DIR's
// OpenTelemetry packages too, not the repo's.
'use strict';
const { copyFileSync, existsSync, mkdirSync, readdirSync } = require('node:fs');
const { join, resolve } = require('node:path');

const APPS = join(__dirname, '..', 'apps');

/** Copies every bench app into DIR/bench-apps (fresh each call) and returns that folder; checks DIR first. */
function appsIn(dir) {
  const root = resolve(dir);
  if (!existsSync(join(root, 'node_modules', '@forkhooks', 'otel-init'))) {
    throw new Error(`--app-dir ${dir}: no node_modules/@forkhooks/otel-init there; give a folder with another OpenTelemetry line installed and the repo's packages linked in (bench/matrix.js makes one)`);
  }
  const out = join(root, 'bench-apps');
  mkdirSync(out, { recursive: true });
  for (const file of readdirSync(APPS).filter((f) => f.endsWith('.js'))) copyFileSync(join(APPS, file), join(out, file));
  return out;
}

/** The environment the apps need when run from an --app-dir. */
const APP_DIR_ENV = { NODE_PRESERVE_SYMLINKS: '1' };

module.exports = { APPS, appsIn, APP_DIR_ENV };
