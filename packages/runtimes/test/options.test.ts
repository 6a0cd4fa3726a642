import { DEFAULT_RESTART, InvalidRuntimeOptionError, runCluster, spawnChild, spawnThread, type ClusterOptions } from '../src';
import { SlotBackoff } from '../src/restart-policy';

// Bad options fail before anything is forked, with a TypeError that names the option and has a code.
const worker = (): void => undefined;

describe('options are validated before anything runs', () => {
  test.each([
    [{ worker, workers: 0 }, /runCluster: invalid option workers: expected an integer >= 1, got 0/],
    [{ worker, workers: 1.5 }, /invalid option workers/],
    [{ worker, workers: '2' }, /invalid option workers: expected an integer >= 1, got "2"/],
    [{ workers: 2 }, /invalid option worker: expected a function, got undefined/],
    [{ worker, primary: 'no' }, /invalid option primary: expected a function/],
    [{ worker, shutdownTimeoutMs: -1 }, /invalid option shutdownTimeoutMs: expected a positive number of milliseconds/],
    [{ worker, restart: { maxCrashes: 0 } }, /invalid option restart.maxCrashes: expected an integer >= 1/],
    [{ worker, restart: { maxDelay: 10 } }, /invalid option restart.maxDelay: unknown option; allowed: initialDelayMs, maxDelayMs/],
    [{ worker, restart: true }, /invalid option restart: expected an object, got true/],
    [{ worker, restart: { minUptimeMs: 5_000 } }, /invalid option restart.minUptimeMs: expected at most 3000 ms, got 5000: a worker that served longer was up/],
    [{ worker, restart: { minUptimeMs: -1 } }, /invalid option restart.minUptimeMs: expected an integer >= 0, got -1/],
    [{ worker, drainTimeoutMs: -1 }, /invalid option drainTimeoutMs: expected an integer >= 0, got -1/],
    [{ worker, drainTimeoutMs: '5s' }, /invalid option drainTimeoutMs: expected an integer >= 0, got "5s"/],
    [{ worker, worksers: 2 }, /invalid option worksers: unknown option/],
    [{ worker, registry: {} }, /invalid option registry: expected a HookRegistry/],
    [{ worker, heartbeatTimeoutMs: -1 }, /invalid option heartbeatTimeoutMs: expected an integer >= 0, got -1/],
    [{ worker, heartbeatTimeoutMs: 500 }, /invalid option heartbeatTimeoutMs: expected 0 \(off\) or at least 1000 ms, got 500/],
    [{ worker, heartbeatTimeoutMs: '30s' }, /invalid option heartbeatTimeoutMs: expected an integer >= 0, got "30s"/],
    [{ worker, maxRequests: 0 }, /invalid option maxRequests: expected an integer >= 1, got 0/],
    [{ worker, maxRequests: 100, maxRequestsJitter: -1 }, /invalid option maxRequestsJitter: expected an integer >= 0, got -1/],
    [{ worker, maxRequestsJitter: 10 }, /invalid option maxRequestsJitter: it only spreads maxRequests: set maxRequests too/],
    [{ worker, maxMemoryMb: 0 }, /invalid option maxMemoryMb: expected a positive number of MiB \(RSS\), got 0/],
    [{ worker, maxMemoryMb: '512M' }, /invalid option maxMemoryMb: expected a positive number of MiB \(RSS\), got "512M"/],
    [{ worker, reloadSignal: 'SIGTERM' }, /invalid option reloadSignal: expected 'SIGHUP', 'SIGUSR2' or false, got "SIGTERM"/],
    [{ worker, reloadSignal: true }, /invalid option reloadSignal: expected 'SIGHUP', 'SIGUSR2' or false, got true/],
    [{ worker, maxRequest: 10 }, /invalid option maxRequest: unknown option; allowed: .*maxRequests/],
  ])('runCluster(%p)', (options, message) => {
    const call = (): unknown => runCluster(options as unknown as ClusterOptions);
    expect(call).toThrow(InvalidRuntimeOptionError);
    expect(call).toThrow(TypeError);
    expect(call).toThrow(message);
    expect(() => runCluster(options as unknown as ClusterOptions)).toThrow(expect.objectContaining({ code: 'FORKHOOKS_ERR_INVALID_OPTION' }) as Error);
  });

  test('spawnChild and spawnThread reject bad options before prefork', async () => {
    await expect(spawnChild('', {})).rejects.toThrow(/spawnChild: invalid option modulePath/);
    await expect(spawnChild('x.js', { workerIndex: -1 })).rejects.toThrow(/spawnChild: invalid option workerIndex: expected an integer >= 0, got -1/);
    await expect(spawnChild('x.js', { env: 'PATH=/' } as never)).rejects.toThrow(/invalid option env: expected an object/);
    await expect(spawnThread(42 as never)).rejects.toThrow(/spawnThread: invalid option file/);
    await expect(spawnThread('x.js', { generation: 0.5 })).rejects.toThrow(/spawnThread: invalid option generation/);
    await expect(spawnThread('x.js', { shutdownTimeoutMs: 0 })).rejects.toThrow(InvalidRuntimeOptionError);
    await expect(spawnChild('x.js', { drainTimeoutMs: -5 })).rejects.toThrow(/spawnChild: invalid option drainTimeoutMs: expected an integer >= 0, got -5/);
    await expect(spawnThread('x.js', { drainTimeoutMs: 1.5 })).rejects.toThrow(/spawnThread: invalid option drainTimeoutMs/);
  });
});

describe('restart backoff', () => {
  test('an end that does not count (a serving worker crashed) backs off but never gives up', () => {
    const backoff = new SlotBackoff({ ...DEFAULT_RESTART, maxCrashes: 2 });
    const verdicts = [0, 1, 2, 3, 4, 5].map((i) => backoff.crash(1_500, 1_000 + i, false));
    expect(verdicts.map((v) => (v.respawn ? v.delayMs : 'give up'))).toEqual([100, 200, 400, 800, 1_600, 3_200]);
    expect(backoff.crash(10, 2_000, true).respawn).toBe(true);
    expect(backoff.crash(10, 2_001, true)).toEqual({ respawn: false, crashes: 2 });
  });

  test('100 ms doubling to the cap; reset after a long uptime; give up at maxCrashes within the window', () => {
    const backoff = new SlotBackoff({ ...DEFAULT_RESTART, maxDelayMs: 1_000, maxCrashes: 7, windowMs: 60_000 });
    const delays = [0, 1, 2, 3, 4].map((i) => backoff.crash(10, 1_000 + i));
    expect(delays.map((v) => (v.respawn ? v.delayMs : 'give up'))).toEqual([100, 200, 400, 800, 1_000]);
    expect(backoff.crash(DEFAULT_RESTART.resetAfterMs, 2_000)).toEqual({ respawn: true, delayMs: 100 });
    expect(backoff.crash(10, 3_000)).toEqual({ respawn: false, crashes: 7 });
  });

  test('crashes older than the window are forgotten', () => {
    const backoff = new SlotBackoff({ ...DEFAULT_RESTART, maxCrashes: 2, windowMs: 1_000 });
    expect(backoff.crash(10, 0).respawn).toBe(true);
    expect(backoff.crash(10, 5_000).respawn).toBe(true);
    expect(backoff.crash(10, 5_500)).toEqual({ respawn: false, crashes: 2 });
  });
});
