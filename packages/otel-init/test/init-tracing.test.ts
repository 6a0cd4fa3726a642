import { join } from 'node:path';
import { readEvents, runNode, tempDir } from '../../../test-utils/processes';
import { useReceiver } from './receiver-fixture';

describe('initTracing called directly', () => {
  const dir = tempDir();
  const receiver = useReceiver({ cleanup: () => dir.cleanup() });

  it('serves early tracers once it ran, returns one handle per process, and counts queue-full drops', async () => {
    const file = join(dir.path, 'events.jsonl');
    const result = await runNode(join(__dirname, 'fixtures', 'init-tracing-checks.js'), { env: { EVENTS_FILE: file, TRACES_URL: receiver().tracesUrl } });
    expect(result.code).toBe(0);
    const checks = readEvents(file)[0] as unknown as Record<string, unknown>;
    expect(checks).toMatchObject({ same: true, warningsAfterSame: 0, sameDespiteOther: true });
    expect(checks.warnings).toEqual([
      'initTracing was called again with different options; keeping the first setup (one provider per process)',
      expect.stringMatching(/^span queue full: 440 spans dropped, ended faster than they were sent \(OTEL_BSP_MAX_QUEUE_SIZE=2048\)/),
    ]);
    // A tracer taken before initTracing records once it ran; nothing from before.
    expect(checks.afterOne).toEqual({ spansEnded: 1, spansExported: 1, spansDropped: 0, spansPending: 0, exportFailures: 0 });
    expect(receiver().spans()[0]?.name).toBe('after-init');
    // 3,000 spans in one tick: the processor sends the first 512 at once, queues 2,048 and drops
    // the other 440, in one warning; the stats say so, and agree with what arrived.
    expect(checks.afterBurst).toEqual({ spansEnded: 3001, spansExported: 2561, spansDropped: 440, spansPending: 0, exportFailures: 0 });
    expect(receiver().count()).toBe(2561);
    expect(checks.resource).toMatchObject({
      'service.name': 'unit',
      'forkhooks.worker.index': 4,
      'forkhooks.worker.generation': 2,
      'forkhooks.worker.runtime': 'custom',
      'process.pid': result.pid,
    });
  });
});

describe('initTracing with instrumentations, called late', () => {
  it('warns which modules were loaded before their instrumentation', async () => {
    const result = await runNode(join(__dirname, 'fixtures', 'late-instrumentation.js'), { env: { TRACES_URL: 'http://127.0.0.1:9/v1/traces' } });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/initTracing: throng \(test-throng-instrumentation\) already loaded before instrumentation was enabled/);
    expect(result.stderr).toMatch(/OTEL_NODE_ENABLED_INSTRUMENTATIONS=<names> with @forkhooks\/otel-init\/register .* or enableInstrumentations\(\[...\]\) from '@forkhooks\/otel-init' in a tracing file the app imports first/);
    expect(result.stderr).not.toMatch(/pass instrumentations to/);
  });
});
