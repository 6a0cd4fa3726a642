// How long and how hard each mode measures. `full` is what `npm run bench` reports; `quick` is a
// check under 3 minutes; `smoke` only proves the harness works end to end (the jest test).
'use strict';

const MODES = {
  full: {
    throughput: { rounds: 12, warmupS: 1, durationS: 3, connections: 10 },
    pipeline: { requests: 20_000, rounds: 15, exportRounds: 9 },
    delivery: { rounds: 2, restarts: 3, steadyS: 2, overallRate: 200, connections: 4 },
    shutdown: { samples: 7, loadS: 1, overallRate: 200, connections: 4 },
    startup: { spawns: 15 },
    dispatch: { rounds: 2_000 },
    deadlineS: 900,
  },
  quick: {
    throughput: { rounds: 6, warmupS: 0.5, durationS: 2, connections: 10 },
    pipeline: { requests: 10_000, rounds: 7, exportRounds: 5 },
    delivery: { rounds: 1, restarts: 3, steadyS: 1.5, overallRate: 200, connections: 4 },
    shutdown: { samples: 3, loadS: 1, overallRate: 200, connections: 4 },
    startup: { spawns: 10 },
    dispatch: { rounds: 500 },
    deadlineS: 240,
  },
  smoke: {
    throughput: { rounds: 2, warmupS: 0.5, durationS: 1, connections: 4 },
    pipeline: { requests: 500, rounds: 2, exportRounds: 1 },
    delivery: { rounds: 1, restarts: 1, steadyS: 0.5, overallRate: 100, connections: 2 },
    shutdown: { samples: 1, loadS: 0.5, overallRate: 100, connections: 2 },
    startup: { spawns: 2 },
    dispatch: { rounds: 50 },
    deadlineS: 150,
  },
};

/** The goals of issue 6 and issue 14, checked in the report (never in tests). */
const GOALS = {
  delivery_forkhooks: 1.0,
  throughput_vs_nodesdk: 1.1,
  throughput_vs_untraced: 0.35,
  startup_fraction_of_nodesdk_auto: 0.1,
  rss_added_mb: 12,
  shutdown_ms: 250,
  dispatch_ns_per_hook: 5_000,
  // issue 14, section 2
  overhead_vs_nodesdk: 0.8,
  pipeline_vs_stock: 1.5,
  rss_added_vs_nodesdk: 0.5,
  rss_added_mb_issue14: 20,
};

/** The goal rows (by measure) that issue 14's section 2 sets, reported together under their own heading. */
const SECTION2_GOALS = ['span pipeline, stock / forkhooks (CPU/span)', 'tracing overhead forkhooks / NodeSDK (worker CPU/req)', 'memory added per worker, vs NodeSDK\'s added', 'start-up added over bare', 'delivery (received / ended)'];

/** Untraced rounds whose worker CPU per request spreads more than this of its median: a noisy run (issue 14). */
const NOISY_SPREAD = 0.15;

module.exports = { MODES, GOALS, NOISY_SPREAD, SECTION2_GOALS };
