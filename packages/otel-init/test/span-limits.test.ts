import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { runNode } from '../../../test-utils/processes';
import { useReceiver } from './receiver-fixture';

// In the repo this runs the 2.x line. To run it on the 3.x line, install the packed tarballs into
// an app folder on Node >= 22.15 and point FORKHOOKS_LIMITS_APP_DIR at it (run jest with that Node):
// the fixture is copied there and resolves forkhooks and OpenTelemetry from the app.
const FIXTURE = join(__dirname, 'fixtures', 'limits-app.js');

function entry(): string {
  const appDir = process.env.FORKHOOKS_LIMITS_APP_DIR;
  if (!appDir) return FIXTURE;
  copyFileSync(FIXTURE, join(appDir, 'limits-app.js'));
  return join(appDir, 'limits-app.js');
}

describe('span and attribute limits from OTEL_* variables, applied by otel-init on either SDK line', () => {
  const receiver = useReceiver();

  it('truncates values and caps attributes, events, links and their attributes as the variables say', async () => {
    const result = await runNode(entry(), {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver().url,
        OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '3',
        OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '4',
        OTEL_SPAN_EVENT_COUNT_LIMIT: '2',
        OTEL_SPAN_LINK_COUNT_LIMIT: '1',
        OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: '1',
        OTEL_LINK_ATTRIBUTE_COUNT_LIMIT: '2',
      },
    });
    expect(result.code).toBe(0);
    const span = receiver().spans().find((s) => s.name === 'over-limits');
    expect(span?.attributes).toEqual({ long: 'abcd', a0: 0, a1: 1 });
    // The processor keeps the newest events when over the limit (both lines).
    expect(span?.events.map((e) => e.name)).toEqual(['e3', 'e4']);
    expect(span?.events.map((e) => Object.keys(e.attributes).length)).toEqual([1, 1]);
    expect(span?.links).toHaveLength(1);
    expect(Object.keys(span?.links[0]?.attributes ?? {})).toHaveLength(2);
  });
});
