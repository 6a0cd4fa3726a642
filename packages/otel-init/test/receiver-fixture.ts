// The receiver fixture lives in test-utils/receiver.ts (shared by every package); this keeps the
// otel-init tests' import of it where it was.
export { useReceiver, useReceivers } from '../../../test-utils/receiver';
