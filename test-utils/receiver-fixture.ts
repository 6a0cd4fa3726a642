// The receiver fixture, for any startReceiver: the built @forkhooks/receiver (test-utils/receiver.ts,
// for every other package) or the receiver package's own sources (its tests test those, not dist).
import { reapLeftovers } from './processes';

/** What a fixture needs of a receiver. */
export interface FixtureReceiver {
  reset(): void;
  close(): Promise<void>;
}

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

/** The fixtures over one startReceiver. */
export interface ReceiverFixtures<O, R> {
  /**
   * Receivers a describe block's tests start on demand (on a port known only then, or with a fault or
   * a limit of their own): the returned function starts one with `options` (port 0 unless given).
   * After the block's tests every one is closed, the processes are reaped, `cleanup` runs, and the
   * block fails on any process that was left.
   */
  useReceivers(cleanup?: ReceiverCleanupOptions): (options?: O) => Promise<R>;
  /**
   * One receiver for the enclosing describe block, with startReceiver's `options` (port 0 unless
   * given): started before its tests, reset before each, closed after them with what `useReceivers`
   * cleans up. Call it once per receiver the block needs.
   */
  useReceiver(options?: O & ReceiverCleanupOptions): () => R;
}

/** The fixtures over `startReceiver`. */
export function receiverFixtures<O extends { port?: number }, R extends FixtureReceiver>(startReceiver: (options?: O) => Promise<R>): ReceiverFixtures<O, R> {
  const useReceivers = ({ cleanup = () => undefined, pids = [] }: ReceiverCleanupOptions = {}): ((options?: O) => Promise<R>) => {
    const started: R[] = [];
    afterAll(async () => {
      await Promise.all(started.splice(0).map((r) => r.close()));
      const left = await reapLeftovers(typeof pids === 'function' ? pids() : pids);
      cleanup();
      expect(left).toEqual([]);
    });
    return async (options = {} as O) => {
      const receiver = await startReceiver({ port: 0, ...options });
      started.push(receiver);
      return receiver;
    };
  };
  const useReceiver = ({ cleanup, pids, ...options }: O & ReceiverCleanupOptions = {} as O): (() => R) => {
    const start = useReceivers({ cleanup, pids });
    let receiver: R | undefined;
    beforeAll(async () => {
      receiver = await start(options as unknown as O);
    });
    beforeEach(() => receiver?.reset());
    return () => {
      if (!receiver) throw new Error('the receiver is not started: call useReceiver() in a describe block');
      return receiver;
    };
  };
  return { useReceivers, useReceiver };
}
