export { startReceiver, DEFAULT_WAIT_TIMEOUT_MS } from './receiver';
export { RECEIVER_DEFAULTS } from './options';
export { TRACE_SERVICE, TRACE_EXPORT_PATH } from './grpc/trace-service';
export { buildSummary, formatInstances } from './summary';
export type { ReceiverSummary } from './summary';

export type { Receiver } from './types/receiver';
export type { ReceiverOptions, ResolvedReceiverOptions } from './types/receiver-options';
export type { FaultOptions } from './types/fault';
export type { ReceiverStats, RequestRecord } from './types/receiver-stats';
export { WORKER_ATTRIBUTE_PREFIX } from './types/instance-summary';
export type { InstanceSummary } from './types/instance-summary';
export type {
  AttributeValue,
  Attributes,
  ReceivedSpan,
  ReceivedSpanEvent,
  ReceivedSpanLink,
  SpanKindName,
  StatusCodeName,
} from './types/received-span';

export { ReceiverErrorCodes } from './errors/codes';
export type { ReceiverErrorCode } from './errors/codes';
export { ReceiverOptionError } from './errors/invalid-option.error';
export { ReceiverListenError } from './errors/listen.error';
export { WaitForSpansTimeoutError } from './errors/wait-timeout.error';
export { ReceiverClosedError } from './errors/closed.error';
export type { InstanceMetrics } from './metrics/metric-store';
