export { MAX_N, fibFast, fibSlow, parseN } from './fibonacci';
export { fibonacci, handle, listen, portFromEnv } from './server';
export { serveFibonacci } from './serve';
export { STATS_DIR_VAR, leaveStatsAtExit, readStarted, readStats } from './stats-file';
export type { StartedWorker, WorkerStats } from './stats-file';
export { finalLine, finishDemo, liveTable, prepareDemo, renderTable, runDemo } from './demo';
export type { DemoTarget, PreparedDemo } from './demo';
export { DURATION_HISTOGRAM, REQUESTS_COUNTER, fibonacciInstruments } from './metrics';
