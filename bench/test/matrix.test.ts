// bench/matrix.js works end to end on one cell (the Node running the tests × the repo's 2.x line,
// which needs no download): it runs bench/run.js for the cell, and writes the JSON and the Markdown
// table. The 3.x cells need Node 24 and the npm registry; the otel-init tests cover that folder.
// No timing is asserted: numbers from a smoke run mean nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reapLeftovers, runNode, tempDir } from '../../test-utils/processes';

const MATRIX = join(__dirname, '..', 'matrix.js');
const major = process.versions.node.split('.')[0];
const isNumber = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);

describe('npm run bench:matrix -- --smoke', () => {
  const out = tempDir('forkhooks-matrix-');

  afterAll(async () => {
    expect(await reapLeftovers()).toEqual([]);
    out.cleanup();
  });

  it(`runs the cell ${major}:2.x and writes its row, with the Node and OpenTelemetry versions it ran`, async () => {
    const result = await runNode(MATRIX, { args: ['--smoke', '--cells', `${major}:2.x`, '--out', out.path, '--name', 'm'], timeoutMs: 170_000 });
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    const doc = JSON.parse(readFileSync(join(out.path, 'm.json'), 'utf8'));
    expect(doc.cells).toHaveLength(1);
    const cell = doc.cells[0];
    const pkg = (name: string): string => JSON.parse(readFileSync(join(__dirname, '..', '..', 'node_modules', name, 'package.json'), 'utf8')).version;
    expect([cell.cell, cell.node, cell.line, cell.sdk_trace, cell.exporter]).toEqual([`${major}:2.x`, process.version, '2.x', pkg('@opentelemetry/sdk-trace'), pkg('@opentelemetry/exporter-trace-otlp-proto')]);
    for (const key of ['forkhooks_us_per_span', 'forkhooks_sdk_us_per_span', 'stock_us_per_span', 'ratio_vs_stock']) expect([key, isNumber(cell[key])]).toEqual([key, true]);
    expect(cell.ratio_vs_stock).toBeCloseTo(cell.stock_us_per_span / cell.forkhooks_us_per_span, 2);
    expect(cell.goal_pipeline).toMatch(/^(yes|NO|inside the noise)/);
    const md = readFileSync(join(out.path, 'm.md'), 'utf8');
    expect(md).toContain('| Node × OTel | node | sdk-trace / exporter | forkhooks µs/span |');
    expect(md).toContain(`| ${major} × 2.x | ${process.version} |`);
  }, 180_000);

  it('refuses a cell that is not NODE_MAJOR:LINE, saying what to write', async () => {
    const result = await runNode(MATRIX, { args: ['--cells', '24', '--out', out.path], timeoutMs: 30_000 });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('--cells: 24 is not NODE_MAJOR:LINE; use e.g. --cells 20:2.x,20:3.x,24:2.x,24:3.x');
  });
});
