import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { configureLogger } from '../src';
import { registerRescue, removeRescueSocket, STUCK_RESCUE_VAR } from '../src/manager';
import { runRescue, unsentSpans, type WireOutcome } from '../src/rescue/rescue-registry';
import { rescueSetting } from '../src/rescue/rescue-socket';
import type { RescueHandler, StuckStack } from '../src/rescue/rescue-types';

// The parts of the stuck-worker rescue that live in one process: the switch, the socket's folder, and
// the registry the stuck main thread runs. The whole rescue, across a real cluster worker and its
// primary, is faults/test/stuck-rescue.test.ts.

const logged: string[] = [];
beforeAll(() => configureLogger({ sink: (level, message) => logged.push(`${level} ${message}`) }));
beforeEach(() => logged.splice(0));

const stuck: StuckStack = { frames: [{ functionName: 'spin', url: 'file:///app.js', line: 3, column: 5 }], stacktrace: 'StuckWorkerError: x\n    at spin (file:///app.js:3:5)', message: 'x' };

describe('FORKHOOKS_STUCK_RESCUE', () => {
  test.each(['0', 'false', 'off', 'no', 'OFF'])('%s turns the rescue off, and says which setting did', (value) => {
    expect(rescueSetting({ [STUCK_RESCUE_VAR]: value })).toEqual({ off: `FORKHOOKS_STUCK_RESCUE=${value}` });
    expect(logged).toEqual([]);
  });

  test('unset or 1: a socket path in a fresh 0700 folder, removed with its folder', () => {
    for (const env of [{}, { [STUCK_RESCUE_VAR]: '1' }]) {
      const setting = rescueSetting(env);
      if (!('address' in setting)) throw new Error(`expected an address, got ${JSON.stringify(setting)}`);
      expect(basename(dirname(setting.address))).toMatch(/^forkhooks-rescue-/);
      expect(existsSync(dirname(setting.address))).toBe(true);
      removeRescueSocket(setting.address);
      expect(existsSync(dirname(setting.address))).toBe(false);
    }
    expect(logged).toEqual([]);
  });

  test('a value it does not know keeps the rescue on, in one warning naming the variable and the fix', () => {
    const setting = rescueSetting({ [STUCK_RESCUE_VAR]: 'maybe' });
    expect('address' in setting).toBe(true);
    if ('address' in setting) removeRescueSocket(setting.address);
    expect(logged).toEqual(['warn FORKHOOKS_STUCK_RESCUE="maybe" is not 0 or 1: the stuck-worker rescue stays on; set 0 to turn it off']);
  });

  test('removeRescueSocket touches nothing but a path of the shape it made', () => {
    expect(() => removeRescueSocket('/etc/passwd')).not.toThrow();
    expect(existsSync('/etc/passwd')).toBe(true);
  });
});

describe('the registry the stuck main thread runs', () => {
  const removals: Array<() => void> = [];
  afterEach(() => removals.splice(0).forEach((remove) => remove()));

  test('no handler: no count; handlers sum their counts, a failing count is left out', () => {
    expect(unsentSpans()).toBeUndefined();
    const handler = (name: string, unsent: () => number): RescueHandler => ({ name, unsentSpans: unsent, rescue: () => ({ deliveries: [], spansEnded: 0, spansLost: 0, spansInFlight: 0, notes: [] }) });
    removals.push(registerRescue(handler('a', () => 3)), registerRescue(handler('b', () => 4)), registerRescue(handler('c', () => { throw new Error('no'); })));
    expect(unsentSpans()).toBe(7);
  });

  test('merges the outcomes, bodies in base64; a handler that throws is named in the notes and the others still count', () => {
    removals.push(
      registerRescue({
        name: 'tracing',
        unsentSpans: () => 2,
        rescue: (s) => ({ deliveries: [{ url: 'http://127.0.0.1:1/v1/traces', headers: {}, body: new Uint8Array([1, 2, 3]), gzip: false, spans: 2 }], spansEnded: s.frames.length, spansLost: 0, spansInFlight: 1, notes: [] }),
      }),
      registerRescue({ name: 'broken', unsentSpans: () => 0, rescue: () => { throw new TypeError('boom'); } }),
    );
    const outcome = JSON.parse(runRescue(stuck)) as WireOutcome;
    expect(outcome).toEqual({ deliveries: [{ url: 'http://127.0.0.1:1/v1/traces', headers: {}, body: 'AQID', gzip: false, spans: 2 }], spansEnded: 1, spansLost: 0, spansInFlight: 1, notes: ['broken failed: boom'] });
  });

  test('registerRescue rejects what is not a handler, saying what it expects', () => {
    expect(() => registerRescue({ name: 'x' } as unknown as RescueHandler)).toThrow('registerRescue: expected a handler { name: string, unsentSpans(): number, rescue(stuck): RescueOutcome }');
  });
});
