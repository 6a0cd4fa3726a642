import { ReceiverOptionError } from './errors/invalid-option.error';
import type { FaultOptions } from './types/fault';
import type { ReceiverOptions, ResolvedReceiverOptions } from './types/receiver-options';

/** `maxDecodedBytes` when not given: this many times `maxBodyBytes`. */
const DECODED_PER_BODY_BYTE = 10;
const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** The defaults of `startReceiver`. */
export const RECEIVER_DEFAULTS: Readonly<ResolvedReceiverOptions> = Object.freeze({
  port: 4318,
  host: '127.0.0.1',
  grpcPort: 4317,
  maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
  maxDecodedBytes: DECODED_PER_BODY_BYTE * DEFAULT_MAX_BODY_BYTES,
  maxSpans: 1_000_000,
  maxInstances: 1_000,
  headersTimeoutMs: 5_000,
  bodyTimeoutMs: 10_000,
  keepRequests: 16,
  fault: undefined,
});

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(Object.keys(RECEIVER_DEFAULTS));
const KNOWN_FAULTS: ReadonlySet<string> = new Set(['status', 'retryAfterSeconds', 'delayMs', 'garbage', 'reset', 'times']);

/** Validates `startReceiver` options and fills in the defaults; throws `ReceiverOptionError` naming the bad one. */
export function resolveReceiverOptions(options: ReceiverOptions | undefined): ResolvedReceiverOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new ReceiverOptionError('options', `expected an object like { port: 0 }, got ${JSON.stringify(options)}`);
  }
  unknownKeys(options ?? {}, KNOWN_OPTIONS, '');
  const resolved: ResolvedReceiverOptions = { ...RECEIVER_DEFAULTS };
  for (const [key, value] of Object.entries(options ?? {})) {
    if (value !== undefined) (resolved as unknown as Record<string, unknown>)[key] = value;
  }
  // Beside the default OTLP/HTTP port, the default OTLP/gRPC one; beside any other port (0 in tests), a free one.
  if (options?.grpcPort === undefined) resolved.grpcPort = resolved.port === RECEIVER_DEFAULTS.port ? RECEIVER_DEFAULTS.grpcPort : 0;
  integer('port', resolved.port, 0, 65_535);
  integer('grpcPort', resolved.grpcPort, 0, 65_535);
  if (resolved.port !== 0 && resolved.port === resolved.grpcPort) {
    throw new ReceiverOptionError('grpcPort', `must differ from port (${resolved.port}): OTLP/gRPC and OTLP/HTTP listen on ports of their own`);
  }
  if (typeof resolved.host !== 'string' || resolved.host.trim() === '') {
    throw new ReceiverOptionError('host', `expected a host name or address like 127.0.0.1, got ${JSON.stringify(resolved.host)}`);
  }
  integer('maxBodyBytes', resolved.maxBodyBytes, 1, Number.MAX_SAFE_INTEGER);
  // Follows maxBodyBytes unless given.
  if (options?.maxDecodedBytes === undefined) resolved.maxDecodedBytes = DECODED_PER_BODY_BYTE * resolved.maxBodyBytes;
  integer('maxDecodedBytes', resolved.maxDecodedBytes, 1, Number.MAX_SAFE_INTEGER);
  integer('maxSpans', resolved.maxSpans, 0, Number.MAX_SAFE_INTEGER);
  integer('maxInstances', resolved.maxInstances, 0, Number.MAX_SAFE_INTEGER);
  integer('headersTimeoutMs', resolved.headersTimeoutMs, 1, 2 ** 31 - 1);
  integer('bodyTimeoutMs', resolved.bodyTimeoutMs, 1, 2 ** 31 - 1);
  integer('keepRequests', resolved.keepRequests, 0, 10_000);
  resolved.fault = resolveFault(resolved.fault);
  return resolved;
}

/** Validates a fault; `undefined` (or `{}`) means no fault. */
export function resolveFault(fault: FaultOptions | undefined): FaultOptions | undefined {
  if (fault === undefined || fault === null) return undefined;
  if (typeof fault !== 'object' || Array.isArray(fault)) {
    throw new ReceiverOptionError('fault', `expected an object like { status: 503 }, got ${JSON.stringify(fault)}`);
  }
  unknownKeys(fault, KNOWN_FAULTS, 'fault.');
  const { status, retryAfterSeconds, delayMs, garbage, reset, times } = fault;
  if (status !== undefined) integer('fault.status', status, 400, 599);
  if (retryAfterSeconds !== undefined) integer('fault.retryAfterSeconds', retryAfterSeconds, 0, 86_400);
  if (delayMs !== undefined) integer('fault.delayMs', delayMs, 0, 2 ** 31 - 1);
  if (times !== undefined) integer('fault.times', times, 1, Number.MAX_SAFE_INTEGER);
  if (garbage !== undefined && typeof garbage !== 'boolean') throw new ReceiverOptionError('fault.garbage', 'expected true or false');
  if (reset !== undefined && typeof reset !== 'boolean') throw new ReceiverOptionError('fault.reset', 'expected true or false');
  // `times` or `retryAfterSeconds` alone do nothing: no fault.
  const active = status !== undefined || delayMs !== undefined || garbage === true || reset === true;
  return active ? { ...fault } : undefined;
}

function integer(option: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ReceiverOptionError(option, `expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
}

function unknownKeys(object: object, known: ReadonlySet<string>, prefix: string): void {
  for (const key of Object.keys(object)) {
    if (!known.has(key)) {
      throw new ReceiverOptionError(`${prefix}${key}`, `unknown option; allowed: ${[...known].map((k) => prefix + k).join(', ')}`);
    }
  }
}
