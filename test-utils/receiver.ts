// A real @forkhooks/receiver (the built package) for a describe block: see receiver-fixture.ts.
import { startReceiver } from '@forkhooks/receiver';
import { receiverFixtures } from './receiver-fixture';

export type { ReceiverCleanupOptions } from './receiver-fixture';

export const { useReceiver, useReceivers } = receiverFixtures(startReceiver);
