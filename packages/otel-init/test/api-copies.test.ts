import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runNode, tempDir } from '../../../test-utils/processes';
import { useReceiver } from './receiver-fixture';

const APP = join(__dirname, 'fixtures', 'api-copy-app.js');
const REPO_API = join(__dirname, '..', '..', '..', 'node_modules', '@opentelemetry', 'api'); // what otel-init resolves in the repo
const REPO_API_VERSION = (JSON.parse(readFileSync(join(REPO_API, 'package.json'), 'utf8')) as { version: string }).version;
/** A version whose api does not read a global registered through the repo's (1.9.x) copy. */
const OTHER_API_VERSION = '1.10.0';
/** Downloaded from npm once, kept across runs. */
const CACHE = join(tmpdir(), 'forkhooks-test-cache');

function cachedApiTarball(version: string): string {
  const file = join(CACHE, `opentelemetry-api-${version}.tgz`);
  if (!existsSync(file)) {
    mkdirSync(CACHE, { recursive: true });
    execFileSync('npm', ['pack', `@opentelemetry/api@${version}`, '--pack-destination', CACHE], { stdio: 'ignore', timeout: 120_000 });
  }
  return file;
}

describe('the api-copies check: the app\'s own @opentelemetry/api must see the provider', () => {
  const dir = tempDir();
  const receiver = useReceiver({ cleanup: () => dir.cleanup() });

  /** A temp app folder holding the fixture and `install` as node_modules/@opentelemetry/api. */
  function app(name: string, install: (target: string) => void): string {
    const root = join(dir.path, name);
    const target = join(root, 'node_modules', '@opentelemetry', 'api');
    mkdirSync(target, { recursive: true });
    install(target);
    copyFileSync(APP, join(root, 'app.js'));
    return join(root, 'app.js');
  }

  const run = (entry: string): ReturnType<typeof runNode> =>
    runNode(entry, {
      env: {
        FORKHOOKS_OTEL_REGISTER: require.resolve('../dist/register'),
        FORKHOOKS_CORE: require.resolve('@forkhooks/core'),
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url,
      },
    });

  it('warns in one line naming both versions, their folders and the overrides fix when the app has api 1.10 beside 1.9', async () => {
    const entry = app('two-lines', (target) => execFileSync('tar', ['xzf', cachedApiTarball(OTHER_API_VERSION), '-C', target, '--strip-components=1']));
    const result = await run(entry);
    expect(result.code).toBe(0);
    // The warning is true: the app's span is a no-op and never arrives.
    expect(result.stdout).toMatch(/^recording false$/m);
    expect(receiver().spans().filter((s) => s.name === 'app-manual')).toEqual([]);
    const lines = result.stderr.split('\n').filter((l) => l.includes('does not see the tracer provider'));
    expect(lines).toHaveLength(1);
    const appApi = join(dirname(entry), 'node_modules', '@opentelemetry', 'api');
    expect(lines[0]).toContain(`the app's @opentelemetry/api ${OTHER_API_VERSION} (${appApi})`);
    expect(lines[0]).toContain(`registered through @opentelemetry/api ${REPO_API_VERSION} (${REPO_API})`);
    expect(lines[0]).toContain(`add "overrides": { "@opentelemetry/api": "${REPO_API_VERSION}" } to the app's package.json`);
    expect(lines[0]).toContain(`npm install @opentelemetry/api@${REPO_API_VERSION}`);
  });

  it('stays silent when the app has a second copy of the same version, whose spans arrive', async () => {
    const entry = app('same-line', (target) => cpSync(REPO_API, target, { recursive: true }));
    const result = await run(entry);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^recording true$/m);
    expect(receiver().spans().filter((s) => s.name === 'app-manual')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/@opentelemetry\/api|check .* could not run/);
  });
});
