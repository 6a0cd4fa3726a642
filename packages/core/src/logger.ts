import { threadId } from 'node:worker_threads';
import { InvalidEnvironmentError } from './errors/invalid-env.error';
import { isBroken, isGoneError, markBroken } from './std-streams';

/** How much forkhooks says; `silent` says nothing. */
export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

/** Where messages go. The default writes one line to stderr. */
export type LogSink = (level: Exclude<LogLevel, 'silent'>, message: string) => void;

const LEVELS: readonly LogLevel[] = ['silent', 'error', 'warn', 'info', 'debug'];
const ENV_VAR = 'FORKHOOKS_LOG';

const where = threadId === 0 ? `pid=${process.pid}` : `pid=${process.pid} thread=${threadId}`;
const defaultSink: LogSink = (level, message) => {
  const stream = process.stderr;
  // Its reader is gone (`2>&1 | head`): drop the line, never retry (each retry would fail again).
  if (isBroken(stream)) return;
  stream.write(`[forkhooks ${level} ${where}] ${message}\n`, (error) => {
    if (error && isGoneError(error)) markBroken(stream);
  });
};

let sink: LogSink = defaultSink;
/** A sink that threw once is not called again: a failing log must never break or slow a stop path. */
let sinkBroken = false;
let threshold = levelFromEnv();

function levelFromEnv(): number {
  const raw = process.env[ENV_VAR];
  if (raw === undefined || raw === '') return LEVELS.indexOf('info');
  const index = LEVELS.indexOf(raw.toLowerCase() as LogLevel);
  if (index >= 0) return index;
  // A typo must not silence errors: say so once and keep the default.
  defaultSink('warn', new InvalidEnvironmentError(ENV_VAR, raw, LEVELS.join(' | ')).message + '; using "info"');
  return LEVELS.indexOf('info');
}

/** Sets the level (default from FORKHOOKS_LOG, else `info`) and/or the sink of forkhooks' diagnostics. */
export function configureLogger(options: { level?: LogLevel; sink?: LogSink }): void {
  if (options.level !== undefined) {
    const index = LEVELS.indexOf(options.level);
    if (index < 0) throw new TypeError(`unknown log level "${String(options.level)}": use one of ${LEVELS.join(', ')}`);
    threshold = index;
  }
  if (options.sink !== undefined) {
    sink = options.sink;
    sinkBroken = false;
  }
}

function emit(level: Exclude<LogLevel, 'silent'>, message: string): void {
  if (sinkBroken || LEVELS.indexOf(level) > threshold) return;
  try {
    sink(level, message);
  } catch {
    // A broken sink must not break a shutdown path, nor be retried: drop this and later messages.
    sinkBroken = true;
  }
}

/** forkhooks' own diagnostics; never `console`. */
export const log = {
  error: (message: string): void => emit('error', message),
  warn: (message: string): void => emit('warn', message),
  info: (message: string): void => emit('info', message),
  debug: (message: string): void => emit('debug', message),
};
