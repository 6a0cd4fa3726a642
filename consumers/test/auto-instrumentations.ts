// The README's line for more instrumentations, run as written in an app install.ts already built, then
// the Express app that line is for: what npm built (`npm ls --all`) and the versions it chose.
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InstalledApp } from './install';
import { npm } from './npm';

const README = join(__dirname, '..', '..', 'README.md');

/** The README's `npm install @opentelemetry/auto-instrumentations-node…` line, as a user copies it. */
export function readmeAutoInstrumentationsLine(): string[] {
  const line = /^npm install @opentelemetry\/auto-instrumentations-node[^\n#]*/m.exec(readFileSync(README, 'utf8'))?.[0];
  if (line === undefined) throw new Error(`${README} has no "npm install @opentelemetry/auto-instrumentations-node" line`);
  return line.trim().split(/\s+/).slice(1);
}

/** What the README's line gave. */
export interface AutoInstrumentationsInstall {
  /** The npm arguments, from the README. */
  line: string[];
  /** Its exit code, and npm's error code when it failed (ERESOLVE). */
  code: number | null;
  error?: string;
  /** `npm ls --all` after it. */
  ls: { code: number | null; problems: string[] };
  /** The versions npm chose (top-level folders). */
  versions: Record<string, string | undefined>;
}

const VERSIONS = ['@opentelemetry/auto-instrumentations-node', '@opentelemetry/instrumentation', '@opentelemetry/instrumentation-express', '@opentelemetry/sdk-trace', 'express'];

/** Adds express (the user's own) and runs the README's line in `app`; the Express entry is `express.mjs`. */
export async function addAutoInstrumentations(app: InstalledApp, bin: string): Promise<AutoInstrumentationsInstall> {
  copyFileSync(join(__dirname, 'fixtures', 'express.mjs'), join(app.dir, 'express.mjs'));
  const express = await npm(['install', 'express'], app.dir, bin);
  if (express.code !== 0) throw new Error(`npm install express exited ${express.code}\n${express.output}`);
  const line = readmeAutoInstrumentationsLine();
  const step = await npm(line, app.dir, bin);
  const ls = await npm(['ls', '--all'], app.dir, bin, 60_000);
  const versions = Object.fromEntries(
    VERSIONS.map((name) => {
      const manifest = join(app.dir, 'node_modules', name, 'package.json');
      return [name, existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version : undefined];
    }),
  );
  return {
    line,
    code: step.code,
    ...(step.code !== 0 && { error: `${/npm error code (\S+)/.exec(step.output)?.[1] ?? 'no code'}: ${step.output.split('\n').filter((l) => /Could not resolve|Conflicting peer|peer/.test(l)).slice(0, 4).join(' | ')}` }),
    ls: { code: ls.code, problems: ls.output.split('\n').filter((l) => /invalid|missing|extraneous|ERR/.test(l)) },
    versions,
  };
}
