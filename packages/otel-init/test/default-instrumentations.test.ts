import { configureLogger } from '@forkhooks/core';
import { defaultInstrumentations } from '../src/tracing/default-instrumentations';

// What register enables, by the environment; the package lookup is passed in so "not installed" can be
// tested in a repo that has it (the installed case runs in real processes: instrumentations.test.ts).
describe('defaultInstrumentations (what register enables)', () => {
  const lines: string[] = [];
  beforeAll(() => configureLogger({ level: 'info', sink: (level, message) => lines.push(`${level} ${message}`) }));
  beforeEach(() => (lines.length = 0));

  it('with OTEL_NODE_ENABLED_INSTRUMENTATIONS set and auto-instrumentations-node missing: http only, and one warning naming the install command', () => {
    const env = { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,pg' };
    const enabled = defaultInstrumentations(env, () => undefined);
    expect(enabled.map((i) => i.instrumentationName)).toEqual(['@opentelemetry/instrumentation-http']);
    expect(lines).toEqual([
      'warn OTEL_NODE_ENABLED_INSTRUMENTATIONS is set but @opentelemetry/auto-instrumentations-node is not installed, so only http is traced; install it: npm install @opentelemetry/auto-instrumentations-node',
    ]);
  });

  it('with both variables set: uses getNodeAutoInstrumentations() of the package found, which reads them itself', () => {
    const saved = { ...process.env };
    Object.assign(process.env, { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'pg,http', OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'http' });
    let fromPackage;
    try {
      fromPackage = defaultInstrumentations();
    } finally {
      process.env = saved;
    }
    expect(fromPackage.map((i) => i.instrumentationName)).toEqual(['@opentelemetry/instrumentation-pg']);
    expect(lines).toEqual([]);
  });
});
