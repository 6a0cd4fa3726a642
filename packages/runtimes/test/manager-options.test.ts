import type { LiveWorker } from '../src/cluster-slot';
import { DEFAULT_HEARTBEAT_TIMEOUT_MS, heartbeatIntervalMs, resolveManagerOptions } from '../src/manager-options';
import { recycleReason, requestLimit } from '../src/recycle';

// The process-manager options: defaults, the heartbeat interval they imply, and the recycling verdict.
const resolve = (options: Parameters<typeof resolveManagerOptions>[1]) => resolveManagerOptions('runCluster', options);
const MIB = 1024 * 1024;
const worker = (fields: Partial<LiveWorker>): LiveWorker => ({ info: { workerIndex: 1, generation: 2, workerId: 'x', pid: 42 }, requestLimit: undefined, ...fields }) as LiveWorker;

describe('manager options', () => {
  test('defaults: a 30 s heartbeat (like Gunicorn --timeout), no recycling, no reload signal', () => {
    expect(resolve({})).toEqual({ heartbeatTimeoutMs: DEFAULT_HEARTBEAT_TIMEOUT_MS, maxRequests: undefined, maxRequestsJitter: 0, maxMemoryMb: undefined, reloadSignal: false });
    expect(DEFAULT_HEARTBEAT_TIMEOUT_MS).toBe(30_000);
  });

  test('heartbeat interval: a quarter of the timeout, at most 1 s; 1 s when only recycling needs it; none when nothing does', () => {
    expect(heartbeatIntervalMs(resolve({}))).toBe(1_000);
    expect(heartbeatIntervalMs(resolve({ heartbeatTimeoutMs: 2_000 }))).toBe(500);
    expect(heartbeatIntervalMs(resolve({ heartbeatTimeoutMs: 0, maxMemoryMb: 512 }))).toBe(1_000);
    expect(heartbeatIntervalMs(resolve({ heartbeatTimeoutMs: 0, maxRequests: 10 }))).toBe(1_000);
    expect(heartbeatIntervalMs(resolve({ heartbeatTimeoutMs: 0 }))).toBeUndefined();
  });

  test('each worker gets maxRequests plus 0..maxRequestsJitter', () => {
    const options = resolve({ maxRequests: 100, maxRequestsJitter: 5 });
    const limits = new Set(Array.from({ length: 400 }, () => requestLimit(options)));
    expect([...limits].sort()).toEqual([100, 101, 102, 103, 104, 105]);
    expect(requestLimit(resolve({ maxRequests: 100 }))).toBe(100);
    expect(requestLimit(resolve({}))).toBeUndefined();
  });

  test('recycle verdict: max-requests at the limit, max-memory above it, nothing below', () => {
    const options = resolve({ maxRequests: 100, maxMemoryMb: 200 });
    expect(recycleReason(worker({ requestLimit: 100, requests: 99, rss: 150 * MIB }), options)).toBeUndefined();
    expect(recycleReason(worker({ requestLimit: 100, requests: 100, rss: 150 * MIB }), options)).toEqual({ workerIndex: 1, generation: 2, workerId: 'x', pid: 42, reason: 'max-requests', requests: 100, rssMb: 150 });
    expect(recycleReason(worker({ requestLimit: 100, requests: 3, rss: 200.5 * MIB }), options)).toMatchObject({ reason: 'max-memory', rssMb: 200.5 });
    expect(recycleReason(worker({ requests: 10_000, rss: 10_000 * MIB }), resolve({}))).toBeUndefined();
  });
});
