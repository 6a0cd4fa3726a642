import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempDir } from '../../../test-utils/processes';

// A strict TypeScript app outside the repo, against the built package (dist/*.d.ts), in both modes.
const repo = join(__dirname, '..', '..', '..');
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');

describe('a user app outside the repo, against the built package', () => {
  const dir = tempDir('forkhooks-user-app-');
  beforeAll(() => {
    cpSync(join(__dirname, 'fixtures', 'user-app'), dir.path, { recursive: true });
    for (const [name, target] of [
      ['@forkhooks/core', join(repo, 'packages', 'core')],
      ['@types/node', join(repo, 'node_modules', '@types', 'node')],
    ] as const) {
      const link = join(dir.path, 'node_modules', name);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(target, link, 'dir');
    }
  });
  afterAll(() => dir.cleanup());

  const compile = (tsconfig: string): { status: number | null; output: string } => {
    const result = spawnSync(process.execPath, [tsc, '-p', join(dir.path, tsconfig)], { cwd: dir.path, encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  };
  const run = (file: string): string =>
    execFileSync(process.execPath, [join(dir.path, file)], { cwd: dir.path, encoding: 'utf8', env: { ...process.env, FORKHOOKS_LOG: 'silent' } });

  it.each(['legacy', 'standard'])('compiles under strict TypeScript with %s decorators and runs every form', (mode) => {
    const { status, output } = compile(`tsconfig.${mode}.json`);
    expect(output).toBe('');
    expect(status).toBe(0);
    expect(run(`out-${mode}/app.js`).trim().split('\n')).toEqual([
      'prefork standalone',
      'postfork options',
      'postfork bare 0',
      'postfork factory',
      'postfork function postfork',
      'postfork options+function true',
      'main standalone',
      'atexit instance exit',
    ]);
  });

  it.each(['legacy', 'standard'])('rejects decorators on a field, a getter and a class at compile time with %s decorators', (mode) => {
    const config = JSON.parse(readFileSync(join(dir.path, `tsconfig.${mode}.json`), 'utf8')) as { files: string[] };
    config.files = ['bad-target.ts'];
    writeFileSync(join(dir.path, `tsconfig.bad-${mode}.json`), JSON.stringify(config));
    const { status, output } = compile(`tsconfig.bad-${mode}.json`);
    expect(status).not.toBe(0);
    const lines = [...output.matchAll(/bad-target\.ts\((\d+),\d+\): error/g)].map((m) => Number(m[1]));
    expect([...new Set(lines)]).toEqual([5, 6, 7, 12]);
  });

  it('imports from an ES module with named exports', () => {
    expect(run('app.mjs').trim().split('\n')).toEqual(['esm hooks esmInit', 'esm postfork', 'esm main']);
  });
});
