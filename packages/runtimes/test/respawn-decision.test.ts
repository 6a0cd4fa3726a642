import type { LiveWorker } from '../src/cluster-slot';
import { CrashLoopError } from '../src/errors/crash-loop.error';
import { decideRespawn, type EndedWorker, type SlotView } from '../src/respawn-decision';
import { DEFAULT_RESTART, SlotBackoff, type RestartPolicy } from '../src/restart-policy';
import type { WorkerExit } from '../src/types/worker-info';

// The respawn / crash-loop decision on its own: no fork, no timer, a fixed clock.
const policy: RestartPolicy = { ...DEFAULT_RESTART, initialDelayMs: 100, maxDelayMs: 1_000, maxCrashes: 3, windowMs: 10_000, minUptimeMs: 1_000 };
const aWorker = {} as LiveWorker;

function slot(over: Partial<SlotView> = {}, restart: RestartPolicy | false = policy): SlotView {
  return { index: 2, generation: 4, everReady: true, backoff: restart ? new SlotBackoff(restart) : undefined, ...over };
}

function ended(over: Partial<Omit<EndedWorker, 'exit'>> = {}, exit: Partial<WorkerExit> = {}): EndedWorker {
  const base: WorkerExit = { workerIndex: 2, generation: 4, workerId: '2:4', pid: 1234, code: 1, signal: null, expected: false, uptimeMs: 50, forced: false };
  return { forked: true, wasNext: false, wasReady: false, watchdogKilled: false, ...over, exit: { ...base, ...exit } };
}

/** The decisions for `count` ends of the same slot, one second apart. */
function repeat(s: SlotView, end: EndedWorker, count: number): string[] {
  return Array.from({ length: count }, (_, i) => decideRespawn(s, end, policy, 1_000_000 + i * 1_000).kind);
}

describe('decideRespawn', () => {
  test('a crash before ready counts towards giving up', () => {
    expect(repeat(slot(), ended({ wasReady: false }, { uptimeMs: 5_000 }), 3)).toEqual(['respawn', 'respawn', 'give-up']);
  });

  test('a crash of a ready worker within minUptimeMs counts', () => {
    expect(repeat(slot(), ended({ wasReady: true }, { uptimeMs: 999 }), 3)).toEqual(['respawn', 'respawn', 'give-up']);
  });

  test('a crash after minUptimeMs of serving is respawned but never counts', () => {
    const s = slot();
    const end = ended({ wasReady: true }, { uptimeMs: 1_000, code: null, signal: 'SIGSEGV' });
    expect(repeat(s, end, 10)).toEqual(Array(10).fill('respawn'));
    expect(decideRespawn(s, end, policy, 2_000_000)).toMatchObject({ kind: 'respawn', crashed: true, reason: 'crash' });
  });

  test('exit 0 after ready is a respawn into the next generation, but no crash', () => {
    const decision = decideRespawn(slot(), ended({ wasReady: true }, { code: 0, uptimeMs: 10 }), policy, 0);
    expect(decision).toEqual({ kind: 'respawn', crashed: false, delayMs: 100, generation: 5, reason: 'exit' });
  });

  test('exit 0 before ready is a crash (its successor still replaced an exit)', () => {
    expect(decideRespawn(slot(), ended({ wasReady: false }, { code: 0 }), policy, 0)).toMatchObject({ kind: 'respawn', crashed: true, reason: 'exit' });
  });

  test('a worker the watchdog killed is respawned for the reason watchdog', () => {
    const decision = decideRespawn(slot(), ended({ wasReady: true, watchdogKilled: true }, { code: null, signal: 'SIGKILL', uptimeMs: 60_000 }), policy, 0);
    expect(decision).toMatchObject({ kind: 'respawn', crashed: true, reason: 'watchdog', generation: 5 });
  });

  test('the delay doubles up to maxDelayMs', () => {
    const s = slot();
    const delays = Array.from({ length: 6 }, (_, i) => decideRespawn(s, ended({ wasReady: true }, { uptimeMs: 2_000 }), policy, i * 20_000)).map((d) => (d.kind === 'respawn' ? d.delayMs : -1));
    expect(delays).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  test('a failed prefork (nothing forked) is retried as the same generation and counts', () => {
    const s = slot({ everReady: false });
    const end = ended({ forked: false }, { code: null, uptimeMs: 0, failure: { phase: 'prefork', hookName: 'db', message: 'down' } });
    expect(decideRespawn(s, end, policy, 0)).toEqual({ kind: 'respawn', crashed: true, delayMs: 100, generation: 4, reason: undefined });
    expect(decideRespawn(s, end, policy, 1).kind).toBe('respawn');
    const giveUp = decideRespawn(s, end, policy, 2);
    expect(giveUp.kind).toBe('give-up');
  });

  test('gives up after maxCrashes within windowMs, with a CrashLoopError naming the slot, the count and the last exit', () => {
    const s = slot();
    const end = ended();
    decideRespawn(s, end, policy, 0);
    decideRespawn(s, end, policy, 1_000);
    const decision = decideRespawn(s, end, policy, 2_000);
    if (decision.kind !== 'give-up') throw new Error(`expected give-up, got ${decision.kind}`);
    expect(decision.error).toBeInstanceOf(CrashLoopError);
    expect(decision.error).toMatchObject({ workerIndex: 2, crashes: 3, windowMs: 10_000, lastExit: end.exit });
  });

  test('crashes further apart than windowMs never add up to giving up', () => {
    const s = slot();
    const kinds = Array.from({ length: 6 }, (_, i) => decideRespawn(s, ended(), policy, i * 6_000).kind);
    expect(kinds).toEqual(Array(6).fill('respawn'));
  });

  test('restart: false winds down, saying whether the worker crashed', () => {
    const s = slot({}, false);
    expect(decideRespawn(s, ended({ wasReady: true }, { code: 0 }), false, 0)).toEqual({ kind: 'wind-down', crashed: false });
    expect(decideRespawn(s, ended({ wasReady: true }, { code: 3 }), false, 0)).toEqual({ kind: 'wind-down', crashed: true });
  });

  test.each<[string, SlotView, EndedWorker]>([
    ['an exit the primary asked for', slot(), ended({}, { expected: true })],
    ['a removed slot (scale down)', slot({ removed: true }), ended()],
    ['a failed replacement while the old worker serves on', slot({ live: aWorker }), ended({ wasNext: true })],
    ['a failed replacement of a new slot never ready (scale() removes it)', slot({ everReady: false }), ended({ wasNext: true })],
    ['the serving worker dying while its replacement starts (the replacement takes over)', slot({ next: aWorker }), ended({ wasNext: false })],
  ])('ignores %s', (_what, s, end) => {
    expect(decideRespawn(s, end, policy, 0)).toEqual({ kind: 'ignore' });
  });

  test('a replacement that died after the old worker died too is respawned', () => {
    expect(decideRespawn(slot(), ended({ wasNext: true }), policy, 0)).toMatchObject({ kind: 'respawn', generation: 5 });
  });

  test('an ignored exit leaves the backoff alone', () => {
    const s = slot({ removed: true });
    repeat(s, ended(), 5);
    expect(decideRespawn({ ...s, removed: false }, ended(), policy, 0)).toMatchObject({ kind: 'respawn', delayMs: 100 });
  });
});
