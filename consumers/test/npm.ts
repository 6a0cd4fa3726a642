// npm as a user runs it, under a chosen Node, in an app folder outside the repo; nothing of the repo's
// own npm run (npm_* variables) leaks in. One cache under the ignored .cache keeps warm runs offline.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The npm cache the consumer installs share (ignored by git, kept between runs). */
export const NPM_CACHE = join(__dirname, '..', '..', '.cache', 'npm');

/** The environment of a user's shell with `bin` first on PATH: npm's `#!/usr/bin/env node` then runs that Node. */
export function userEnv(bin: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key) && key !== 'INIT_CWD') env[key] = value;
  env.PATH = `${bin}:${process.env.PATH ?? ''}`;
  return env;
}

/** Runs `npm ...args` in `cwd` (killed by pid after `timeoutMs`); resolves with its exit code and output. */
export function npm(args: string[], cwd: string, bin: string, timeoutMs = 240_000): Promise<{ code: number | null; output: string }> {
  const flags = ['--cache', NPM_CACHE, '--prefer-offline', '--no-audit', '--no-fund', '--no-update-notifier'];
  return new Promise((resolve, reject) => {
    const child = spawn('npm', [...args, ...flags], { cwd, env: userEnv(bin), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, output: signal ? `${output}\nnpm ${args[0]} killed by ${signal} after ${timeoutMs} ms` : output });
    });
  });
}
