import { join } from 'node:path';
import { installFixture } from '../../../test-utils/fixture-install';
import { nodeBinDir } from '../../../test-utils/node-version';
import { runNode } from '../../../test-utils/processes';
import { useReceiver } from './receiver-fixture';

// ESM as Node decides it (issue 21, item 7): an app's entry that Node loaded as an ES module without a
// .mjs name still gets the "use --import" line, and a CommonJS one does not. Real processes: Node 24's
// type stripping, tsx (installed once into a cached folder outside the repo), and Node's syntax detection.
const DIR = join(__dirname, 'fixtures', 'esm-detect');
const MODULE_TS = join(DIR, 'module', 'app.ts');
const TYPELESS_JS = join(DIR, 'typeless', 'app.js');
const CJS_TS = join(DIR, 'typeless', 'cjs.ts');
const LATE = "is an ES module and @forkhooks/otel-init/register was imported from inside the app's ES modules, after their imports were loaded: its http and framework calls make no spans; start it with node --import @forkhooks/otel-init/register";

const esmWarnings = (stderr: string): string[] => stderr.split('\n').filter((l) => /is an ES module/.test(l));

describe('the ESM warning follows how Node really loaded the entry, not its file name', () => {
  const receiver = useReceiver();
  let node24 = '';
  let tsx = '';
  beforeAll(async () => {
    node24 = join(nodeBinDir(24), 'node');
    tsx = join(await installFixture('tsx', { name: 'forkhooks-fixture-tsx', private: true, dependencies: { tsx: '^4.19.0' } }, []), 'node_modules', 'tsx', 'dist', 'cli.mjs');
  }, 300_000);

  const run = (entry: string, options: { node?: string; nodeArgs?: string[]; args?: string[] } = {}) =>
    runNode(entry, { ...options, cwd: DIR, env: { OTEL_METRICS_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url }, timeoutMs: 30_000 });
  const serverSpans = () => receiver().spans().filter((s) => s.kind === 'server');

  it.each([
    ["Node 24's `node app.ts` in a \"type\": \"module\" package (type stripping)", () => run(MODULE_TS, { node: node24 }), MODULE_TS],
    ['`tsx app.ts` in a "type": "module" package', () => run(tsx, { args: [MODULE_TS] }), MODULE_TS],
    ['a typeless package\'s .js with ESM syntax (Node\'s syntax detection)', () => run(TYPELESS_JS), TYPELESS_JS],
  ])('%s: no server span, and the one line that says why, naming node --import', async (_name, start, entry) => {
    const result = await start();
    expect(result.code).toBe(0);
    expect(serverSpans()).toEqual([]);
    expect(esmWarnings(result.stderr)).toEqual([expect.stringContaining(`${entry} ${LATE} ${entry.split('/').pop()}`)]);
  });

  it('the fix the line names works: node --import @forkhooks/otel-init/register app.ts on Node 24 sends the server span, and nothing is said', async () => {
    const result = await run(MODULE_TS, { node: node24, nodeArgs: ['--import', '@forkhooks/otel-init/register'] });
    expect(result.code).toBe(0);
    expect(serverSpans().map((s) => s.name)).toEqual(['GET']);
    expect(result.stderr).not.toMatch(/\[forkhooks warn/);
  });

  it.each([
    ['`tsx cjs.ts` (CommonJS)', () => run(tsx, { args: [CJS_TS] })],
    ["Node 24's `node cjs.ts` (CommonJS, type stripping)", () => run(CJS_TS, { node: node24 })],
  ])('%s: its http calls are traced, and no ESM line comes (no false alarm)', async (_name, start) => {
    const result = await start();
    expect(result.code).toBe(0);
    expect(serverSpans().map((s) => s.name)).toEqual(['GET']);
    expect(result.stderr).not.toMatch(/\[forkhooks warn/);
  });
});
