import { startReceiver, type Receiver } from '@forkhooks/receiver';
import { reapLeftovers } from '../../../test-utils/processes';

/** What useReceiver also cleans up after the describe block's tests. */
export interface ReceiverFixtureOptions {
  /** Runs last (a temp folder). */
  cleanup?: () => void;
  /** Pids the tests started indirectly (cluster workers), reaped with the processes startNode started. */
  pids?: number[];
}

/**
 * A real receiver for the enclosing describe block: started before its tests, reset before each,
 * closed after them, and no process of ours left behind.
 */
export function useReceiver({ cleanup = () => undefined, pids = [] }: ReceiverFixtureOptions = {}): () => Receiver {
  let receiver: Receiver | undefined;
  beforeAll(async () => {
    receiver = await startReceiver({ port: 0 });
  });
  beforeEach(() => receiver?.reset());
  afterAll(async () => {
    await receiver?.close();
    const left = await reapLeftovers(pids);
    cleanup();
    expect(left).toEqual([]);
  });
  return () => {
    if (!receiver) throw new Error('the receiver is not started: call useReceiver() in a describe block');
    return receiver;
  };
}
