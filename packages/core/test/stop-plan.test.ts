import { configureLogger, HookRegistry } from '../src';
import { createShutdown, createStopPlan, describeBudget, stopBudgetMs, timeLeft, type StopStage } from '../src/manager';
import { testContext } from './helpers';

// The stop plan on its own, with stages that only record and wait: order, budgets, where the stop
// is for a repeated Ctrl-C, "already stopping" once, the cut-off line, the exit code.

const said: string[] = [];
beforeEach(() => {
  said.splice(0);
  configureLogger({ level: 'debug', sink: (level, message) => void said.push(`${level} ${message}`) });
});
afterAll(() => configureLogger({ sink: () => undefined, level: 'info' }));

interface Recorded {
  name: string;
  budgetMs: number;
  startedAt: number;
}

/** A stage that records when it ran with which budget, takes `takesMs`, and reports `inTime`. */
function stage(name: StopStage['name'], plannedMs: number, runs: Recorded[], options: { takesMs?: number; inTime?: boolean; budgetMs?: () => number; progress?: () => string } = {}): StopStage {
  return {
    name,
    plannedMs,
    ...(options.budgetMs && { budgetMs: options.budgetMs }),
    ...(options.progress && { progress: options.progress }),
    async run(budgetMs) {
      runs.push({ name, budgetMs, startedAt: Date.now() });
      await new Promise((resolve) => setTimeout(resolve, options.takesMs ?? 0));
      return options.inTime ?? true;
    },
  };
}

describe('the stop plan', () => {
  test('runs its stages in order, each with its budget (planned, or fixed when it starts), then ends with exit code 0', async () => {
    const runs: Recorded[] = [];
    const ended: number[] = [];
    const plan = createStopPlan({
      stages: () => [stage('workers', 300, runs, { takesMs: 30 }), stage('drain', 200, runs), stage('atexit', 100, runs, { budgetMs: () => 77 })],
      end: async (_request, code) => void ended.push(code),
    });
    expect(plan.position).toBeUndefined();
    await plan.stop('signal', undefined, 'SIGTERM');
    expect(runs.map(({ name, budgetMs }) => [name, budgetMs])).toEqual([
      ['workers', 300],
      ['drain', 200],
      ['atexit', 77],
    ]);
    expect(runs[1]!.startedAt - runs[0]!.startedAt).toBeGreaterThanOrEqual(25);
    expect(plan.position).toBe('exit');
    expect(ended).toEqual([0]);
    expect(said.filter((l) => l.includes('cut off'))).toEqual([]);
  });

  test('one stop however often it is asked: later calls get the same promise', async () => {
    const runs: Recorded[] = [];
    const plan = createStopPlan({ stages: () => [stage('atexit', 50, runs, { takesMs: 20 })], end: async () => 'done' });
    const first = plan.stop('signal', undefined, 'SIGTERM');
    expect(plan.stopping).toBe(true);
    expect(plan.stop('exit', undefined, 'shutdown() called')).toBe(first);
    await expect(first).resolves.toBe('done');
    expect(runs).toHaveLength(1);
  });

  test('a stop cut off by a budget is reported once, in one line naming the stage(s) that ran out', async () => {
    const runs: Recorded[] = [];
    const plan = createStopPlan({
      stages: () => [stage('drain', 40, runs, { inTime: false }), stage('atexit', 60, runs, { inTime: false })],
      end: async (_request, code) => code,
    });
    await expect(plan.stop('signal', undefined, 'SIGTERM')).resolves.toBe(0);
    expect(said.filter((l) => l.includes('cut off'))).toEqual(['warn stop cut off by its deadline: the stages drain (40 ms), atexit (60 ms) ran out of time']);

    said.splice(0);
    const one = createStopPlan({ stages: () => [stage('workers', 10, runs, { inTime: false }), stage('atexit', 60, runs)], end: async () => undefined });
    await one.stop('exit');
    expect(said.filter((l) => l.includes('cut off'))).toEqual(['warn stop cut off by its deadline: the stage workers (10 ms) ran out of time']);
  });

  test('exit code: 0 on a graceful stop, 1 after a fatal error or when something had to be forced, then raised by the owner', async () => {
    const code = async (reason: 'signal' | 'error', forced: boolean, raise?: (c: number) => number): Promise<number> => {
      const plan = createStopPlan({ stages: () => [], end: async (_request, c) => c, ...(raise && { exitCode: raise }) });
      if (forced) plan.forced();
      return plan.stop(reason, reason === 'error' ? new Error('boom') : undefined, 'why');
    };
    expect(await code('signal', false)).toBe(0);
    expect(await code('error', false)).toBe(1);
    expect(await code('signal', true)).toBe(1);
    expect(await code('signal', false, (c) => c + 5)).toBe(5);
  });

  test('the request tells the stages why, and which signal began the stop (none for a message or an error)', async () => {
    const seen: unknown[] = [];
    const make = () => createStopPlan({ stages: (request) => (seen.push(request), []), end: async () => undefined });
    await make().stop('signal', undefined, 'SIGTERM');
    await make().stop('message', undefined, 'stop message');
    const boom = new Error('boom');
    await make().stop('error', boom, 'uncaught exception');
    expect(seen).toEqual([
      { reason: 'signal', detail: 'SIGTERM', signal: 'SIGTERM' },
      { reason: 'message', detail: 'stop message' },
      { reason: 'error', error: boom, detail: 'uncaught exception' },
    ]);
  });

  test('"already stopping" once per kind at info; an expected repeat at debug', async () => {
    const runs: Recorded[] = [];
    const plan = createStopPlan({
      stages: () => [stage('atexit', 50, runs, { takesMs: 30 })],
      end: async () => undefined,
      expected: ({ reason }) => reason === 'message',
    });
    const first = plan.stop('signal', undefined, 'SIGTERM');
    for (let i = 0; i < 5; i++) void plan.stop('signal', undefined, 'SIGTERM');
    for (let i = 0; i < 3; i++) void plan.stop('error', new Error('EPIPE'), 'uncaught exception');
    void plan.stop('message', undefined, 'stop message');
    void plan.stop('message', undefined, 'stop message');
    await first;
    expect(said.filter((l) => l.includes('already stopping'))).toEqual([
      'info already stopping; ignoring SIGTERM',
      'info already stopping; ignoring uncaught exception',
      'debug already stopping; ignoring stop message',
      'debug already stopping; ignoring stop message',
    ]);
  });

  test('a repeated Ctrl-C: the 2nd says where the stop is and how long is left, the 3rd forces exit 130 saying what it cut off', async () => {
    const runs: Recorded[] = [];
    const exits: number[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const plan = createStopPlan({
      stages: () => [
        { ...stage('workers', 5_000, runs), run: () => held.then(() => true), progress: () => 'waiting for 2 worker(s) to drain and run atexit' },
        stage('atexit', 1_000, runs),
      ],
      end: async () => undefined,
      force: (position) => `everything in ${position}`,
      exit: (code) => void exits.push(code),
    });
    const first = plan.stop('signal', undefined, 'SIGINT');
    void plan.stop('signal', undefined, 'SIGINT');
    const hint = said.find((l) => l.includes('press Ctrl-C again'));
    expect(hint).toMatch(/^warn stopping \(waiting for 2 worker\(s\) to drain and run atexit, up to (\d+) ms left\); press Ctrl-C again to force exit$/);
    // What is left: this stage's budget and the later stages' planned time.
    const left = Number(/up to (\d+) ms/.exec(hint!)![1]);
    expect(left).toBeGreaterThan(5_900);
    expect(left).toBeLessThanOrEqual(6_000);
    void plan.stop('signal', undefined, 'SIGINT');
    expect(said.filter((l) => l.includes('forced exit'))).toEqual(['warn forced exit on Ctrl-C: cut off everything in workers; exiting 130']);
    expect(exits).toEqual([130]);
    // No "already stopping" for a Ctrl-C: the guard answers it.
    expect(said.filter((l) => l.includes('already stopping'))).toEqual([]);
    release();
    await first;
  });

  test('forceOnInterrupt: false (a managed worker): a repeated Ctrl-C is only one more request', async () => {
    const exits: number[] = [];
    let release!: () => void;
    const held = new Promise<boolean>((resolve) => (release = () => resolve(true)));
    const plan = createStopPlan({ stages: () => [{ name: 'atexit', plannedMs: 100, run: () => held }], end: async () => undefined, forceOnInterrupt: false, exit: (c) => void exits.push(c) });
    const first = plan.stop('signal', undefined, 'SIGINT');
    for (let i = 0; i < 3; i++) void plan.stop('signal', undefined, 'SIGINT');
    expect(said.filter((l) => l.includes('Ctrl-C'))).toEqual([]);
    expect(said.filter((l) => l.includes('already stopping'))).toEqual(['info already stopping; ignoring SIGINT']);
    release();
    await first;
    expect(exits).toEqual([]);
  });
});

describe('createShutdown on the plan', () => {
  test("a manager's own stage runs first, then the drain and atexit; atexit hooks learn the stop signal", async () => {
    const order: string[] = [];
    const registry = new HookRegistry();
    registry.add('atexit', (ctx) => void order.push(`atexit ${ctx.stopSignal} ${ctx.reason}`), { name: 'flush' });
    const exits: number[] = [];
    const shutdown = createShutdown({
      registry,
      context: testContext(),
      timeoutMs: 500,
      stages: ({ detail }) => [{ name: 'workers', plannedMs: 100, run: async () => (order.push(`workers ${detail}`), true) }],
      exit: (code) => void exits.push(code),
    });
    await shutdown.stop('signal', undefined, 'SIGTERM');
    expect(order).toEqual(['workers SIGTERM', 'atexit SIGTERM signal']);
    expect(said.filter((l) => l.startsWith('info stopping') || l.startsWith('info atexit done'))).toEqual([
      'info stopping (SIGTERM): running atexit hooks, deadline 500 ms',
      'info atexit done: 1/1 hooks ok; exiting 0',
    ]);
    expect(exits).toEqual([0]);
  });

  test('a forced end (a worker SIGKILLed) makes a graceful stop exit 1; an atexit that overruns its deadline is named in the cut-off line', async () => {
    const registry = new HookRegistry();
    registry.add('atexit', (ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', resolve)), { name: 'hangs', timeoutMs: 60_000 });
    const exits: number[] = [];
    const shutdown = createShutdown({ registry, context: testContext(), timeoutMs: 150, exit: (code) => void exits.push(code) });
    shutdown.forced();
    const report = await shutdown.stop('message', undefined, 'stop message');
    expect(report.results.map((r) => r.status)).toEqual(['timeout']);
    expect(said.filter((l) => l.includes('cut off by its deadline'))).toEqual(['warn stop cut off by its deadline: the stage atexit (150 ms) ran out of time']);
    expect(exits).toEqual([1]);
  });

  test('no stop signal for a stop that no signal began', async () => {
    const seen: unknown[] = [];
    const registry = new HookRegistry();
    registry.add('atexit', (ctx) => void seen.push(ctx.stopSignal), { name: 'record' });
    await createShutdown({ registry, context: testContext(), timeoutMs: 200, exit: () => undefined }).stop('exit', undefined, 'shutdown() called');
    expect(seen).toEqual([undefined]);
  });
});

describe('the stop budgets', () => {
  test("a manager's wait is the worker's drain + atexit deadline + 1,000 ms of grace, spelled out in the kill line", () => {
    expect(stopBudgetMs(1_000, 1_500)).toBe(3_500);
    expect(describeBudget(1_000, 1_500)).toBe('3500 ms (drain 1000 + atexit 1500 + grace 1000 ms)');
  });

  test('timeLeft: what is left of a deadline less a margin (a number, or a function of what is left), at least 1; no deadline, Infinity', () => {
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now);
    try {
      expect(timeLeft(now + 2_000)).toBe(2_000);
      expect(timeLeft(now + 2_000, 100)).toBe(1_900);
      expect(timeLeft(now + 2_000, (left) => Math.min(250, Math.floor(left / 10)))).toBe(1_800);
      expect(timeLeft(now + 5_000, (left) => Math.min(250, Math.floor(left / 10)))).toBe(4_750);
      expect(timeLeft(now + 50, 100)).toBe(1);
      expect(timeLeft(now - 10)).toBe(1);
      expect(timeLeft(undefined)).toBe(Number.POSITIVE_INFINITY);
    } finally {
      jest.restoreAllMocks();
    }
  });
});
