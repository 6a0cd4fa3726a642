// A real @forkhooks/receiver for a describe block, shared by every package (never copied): started
// for the block, closed after it, and no process of the block's left behind.
import { startReceiver, type Receiver, type ReceiverOptions } from '@forkhooks/receiver';
import { reapLeftovers } from './processes';

/** What the fixture also cleans up after the describe block's tests. */
export interface ReceiverCleanupOptions {
  /** Runs last (a temp folder). */
  cleanup?: () => void;
  /**
   * Pids the tests started indirectly (cluster workers), reaped with the processes startNode started;
   * a function when they are only known at the end.
   */
  pids?: Iterable<number> | (() => Iterable<number>);
}

/** startReceiver's options (port 0 unless given) and what to clean up after the block. */
export type ReceiverFixtureOptions = ReceiverOptions & ReceiverCleanupOptions;

/**
 * Receivers a describe block's tests start on demand (on a port known only then, or with a fault or a
 * limit of their own): `start(options)` starts one (port 0 unless given); after the block's tests every
 * one is closed, the processes are reaped, `cleanup` runs, and the block fails on any process left.
 */
export function useReceivers({ cleanup = () => undefined, pids = [] }: ReceiverCleanupOptions = {}): (options?: ReceiverOptions) => Promise<Receiver> {
  const started: Receiver[] = [];
  afterAll(async () => {
    await Promise.all(started.splice(0).map((r) => r.close()));
    const left = await reapLeftovers(typeof pids === 'function' ? pids() : pids);
    cleanup();
    expect(left).toEqual([]);
  });
  return async (options = {}) => {
    const receiver = await startReceiver({ port: 0, ...options });
    started.push(receiver);
    return receiver;
  };
}

/**
 * One real receiver for the enclosing describe block, with `options`: started before its tests, reset
 * before each, closed after them (with what `useReceivers` cleans up). Call it once per receiver the
 * block needs.
 */
export function useReceiver({ cleanup, pids, ...options }: ReceiverFixtureOptions = {}): () => Receiver {
  const start = useReceivers({ cleanup, pids });
  let receiver: Receiver | undefined;
  beforeAll(async () => {
    receiver = await start(options);
  });
  beforeEach(() => receiver?.reset());
  return () => {
    if (!receiver) throw new Error('the receiver is not started: call useReceiver() in a describe block');
    return receiver;
  };
}
