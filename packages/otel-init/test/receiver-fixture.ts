import { startReceiver, type Receiver } from '@forkhooks/receiver';
import { reapLeftovers } from '../../../test-utils/processes';

/**
 * A real receiver for the enclosing describe block: started before its tests, reset before each,
 * closed after them, and no process of ours left behind. `cleanup` runs last (a temp folder).
 */
export function useReceiver(cleanup: () => void = () => undefined): () => Receiver {
  let receiver: Receiver | undefined;
  beforeAll(async () => {
    receiver = await startReceiver({ port: 0 });
  });
  beforeEach(() => receiver?.reset());
  afterAll(async () => {
    await receiver?.close();
    const left = await reapLeftovers();
    cleanup();
    expect(left).toEqual([]);
  });
  return () => {
    if (!receiver) throw new Error('the receiver is not started: call useReceiver() in a describe block');
    return receiver;
  };
}
