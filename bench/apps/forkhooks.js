// Bench app: the service traced by forkhooks, as a user would: register first (http
// instrumentation at import, initTracing in postfork, the flush in atexit).
// With BENCH_STATS_DIR set, each worker writes its stats() there at exit ('exit' comes after every
// atexit hook, the flush included): the spans it ended, for the delivery ratio.
'use strict';
require('@forkhooks/otel-init/register');
const { writeStatsAtExit } = require('./stats-at-exit');

writeStatsAtExit(() => require('@forkhooks/otel-init').currentTracing()?.stats().spansEnded);
require('./serve').serve();
